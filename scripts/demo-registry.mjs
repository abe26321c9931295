// The demo's registries: the real Distribution registry on 127.0.0.1, started and filled by the same code
// the tests use (test/support/registry.ts and push.ts). That code is TypeScript, so it is bundled in memory
// with esbuild and loaded from the demo's temporary folder (as scripts/gen-docs.mjs does for the rule table).
import { randomBytes } from 'node:crypto';
import { writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';

/**
 * The registries examples/ names (by a placeholder host, replaced by the real 127.0.0.1:PORT in the copy
 * the CLI scans), and what each holds — chosen so each mistake in examples/ meets the answer a real
 * registry would give.
 */
export const DEMO_REGISTRIES = [
  {
    placeholder: 'registry.local:5000',
    what: "the shop's registry",
    auth: 'none',
    images: [
      // The api's releases: the prod overlay asks for 1.4.3, which was never pushed.
      { repository: 'shop/api', tag: '1.4.0', kind: 'oci-index' },
      { repository: 'shop/api', tag: '1.4.1', kind: 'oci-index' },
      { repository: 'shop/api', tag: '1.4.2', kind: 'oci-index' },
      { repository: 'shop/web', tag: '3.0.0', kind: 'oci-index' },
      { repository: 'shop/web', tag: '3.1.0', kind: 'oci-index' },
      // A Docker manifest list (what `docker buildx` pushes by default); a CronJob misspells its name.
      { repository: 'shop/payments', tag: '2.0.1', kind: 'docker-list' },
      // Pushed from an arm64 laptop: a single image for linux/arm64, while the nodes run linux/amd64.
      { repository: 'shop/worker', tag: '2.1.0', kind: 'oci', platforms: ['linux/arm64'] },
    ],
  },
  {
    placeholder: 'vendor.local:5000',
    what: "the payment provider's private registry (htpasswd)",
    auth: 'htpasswd',
    images: [{ repository: 'fraudguard/agent', tag: '5.2.0', kind: 'oci-index' }],
  },
];

/** The CI account the demo's config logs in to the private registry with. */
const CI_USER = 'shop-ci';

/**
 * Starts every registry of DEMO_REGISTRIES on loopback and pushes its images. `scratch` is a folder the
 * caller removes. Each registry is added to `started` as soon as it runs — its placeholder, the harness's
 * RunningRegistry ({host, pid, stop(), …}) and the credentials pullcheck should use (null when anonymous) —
 * so the caller can stop whatever runs (stopDemoRegistries) however this ends, Ctrl-C included.
 */
export async function startDemoRegistries(root, scratch, started) {
  const { startRegistry, pushImage } = await loadHarness(root, scratch);
  for (const spec of DEMO_REGISTRIES) {
    const credentials = spec.auth === 'none' ? null : { username: CI_USER, password: randomBytes(12).toString('hex') };
    const registry = await startRegistry({ auth: spec.auth, ...(credentials ? { users: { [credentials.username]: credentials.password } } : {}) });
    started.push({ ...spec, registry, credentials });
    await Promise.all(spec.images.map(({ repository, tag, kind, platforms }) => pushImage(registry, repository, tag, { kind, platforms })));
  }
}

export async function stopDemoRegistries(started) {
  for (const { registry } of started.splice(0)) await registry.stop();
}

async function loadHarness(root, scratch) {
  const { build } = await import('esbuild');
  const out = await build({
    stdin: {
      contents: "export { startRegistry } from './test/support/registry.ts';\nexport { pushImage } from './test/support/push.ts';\n",
      resolveDir: root,
      sourcefile: 'demo-harness.ts',
      loader: 'ts',
    },
    bundle: true,
    platform: 'node',
    format: 'cjs',
    target: 'node22',
    write: false,
    logLevel: 'silent',
  });
  // A real file rather than `new Function`: errors then point at lines of a file one can open.
  const file = path.join(scratch, 'demo-harness.cjs');
  writeFileSync(file, out.outputFiles[0].text);
  return createRequire(file)(file);
}
