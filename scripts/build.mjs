// Bundles the two entry points to self-contained CommonJS files in dist/ (committed: the Action runs
// dist/index.js without installing, and `node dist/cli.js` works on a fresh clone). CommonJS because ESM
// bundles of @actions/* and yaml fail at run time.
import { build } from 'esbuild';
import { existsSync } from 'node:fs';

const entries = [
  { in: 'src/cli.ts', out: 'dist/cli.js', banner: '#!/usr/bin/env node' },
  { in: 'src/action.ts', out: 'dist/index.js' },
].filter((e) => existsSync(e.in));

for (const entry of entries) {
  await build({
    entryPoints: [entry.in],
    outfile: entry.out,
    bundle: true,
    platform: 'node',
    target: 'node24',
    format: 'cjs',
    minify: false,
    legalComments: 'none',
    banner: entry.banner ? { js: entry.banner } : undefined,
    logLevel: 'warning',
  });
}
