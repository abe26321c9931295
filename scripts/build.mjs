// Bundles the two entry points to self-contained CommonJS files in dist/ (committed: the Action runs
// dist/index.js without installing, and `node dist/cli.js` works on a fresh clone). CommonJS because ESM
// bundles of @actions/* and yaml fail at run time.
// Size (docs/benchmarks.md): minified, and with ONE copy of undici and of @actions/http-client — npm gives
// @actions/github and @actions/http-client copies of their own (undici 6, http-client 3), which tripled
// the largest library in the bundle. The aliases resolve every import of them to the top-level packages
// (undici 7, http-client 4: the ProxyAgent, fetch and getAgentDispatcher they use are the same API);
// test/action runs the bundle against a fake GitHub API. Start-up: the @actions packages get undici through
// scripts/undici-on-demand.cjs, which loads it when first used.
import { build } from 'esbuild';
import { existsSync, readFileSync, readdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const onDemand = path.join(path.dirname(fileURLToPath(import.meta.url)), 'undici-on-demand.cjs');
/** `undici` imported from an @actions package resolves to the on-demand wrapper; everyone else gets undici. */
const undiciOnDemandForActions = {
  name: 'undici-on-demand',
  setup(build) {
    build.onResolve({ filter: /^undici$/ }, (args) => (/[\\/]@actions[\\/]/.test(args.importer) ? { path: onDemand } : undefined));
  },
};

const entries = [
  { in: 'src/cli.ts', out: 'dist/cli.js', banner: '#!/usr/bin/env node' },
  { in: 'src/action.ts', out: 'dist/index.js' },
].filter((e) => existsSync(e.in));

const bundled = new Set();
for (const entry of entries) {
  const result = await build({
    entryPoints: [entry.in],
    outfile: entry.out,
    bundle: true,
    platform: 'node',
    target: 'node24',
    format: 'cjs',
    minify: true,
    alias: { undici: 'undici', '@actions/http-client': '@actions/http-client' },
    plugins: [undiciOnDemandForActions],
    legalComments: 'none',
    banner: entry.banner ? { js: entry.banner } : undefined,
    logLevel: 'warning',
    metafile: true,
  });
  for (const input of Object.keys(result.metafile.inputs)) {
    const pkg = /(?:^|\/)node_modules\/((?:@[^/]+\/)?[^/]+)\//.exec(input)?.[1];
    if (pkg) bundled.add(pkg);
  }
}
writeFileSync('dist/licenses.txt', licenseNotices([...bundled].sort()));

/**
 * The bundles carry third-party code without its license headers (legalComments: none keeps them small),
 * so the notices every bundled package's license asks for travel beside them, as @vercel/ncc does.
 */
function licenseNotices(packages) {
  return packages.map((name) => {
    const dir = path.join('node_modules', name);
    const meta = JSON.parse(readFileSync(path.join(dir, 'package.json'), 'utf8'));
    const file = readdirSync(dir).find((f) => /^(licen[cs]e|copying)(\.|$)/i.test(f));
    const text = file ? readFileSync(path.join(dir, file), 'utf8').trim() : `(no license file; package.json says ${meta.license ?? 'nothing'})`;
    return `${meta.name} ${meta.version}\n${meta.license ?? ''}\n\n${text}\n`;
  }).join('\n' + '-'.repeat(72) + '\n\n');
}
