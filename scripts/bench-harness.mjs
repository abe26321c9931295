// The test harness the benchmark reuses in its own process: the real Distribution registry (with the
// token server), image building and pushing, and the latency-adding TCP proxy. Bundled by bench-lib.mjs.
export { startRegistry } from '../test/support/registry.ts';
export { pushBlob, pushManifest } from '../test/support/push.ts';
export { HarnessClient } from '../test/support/harness-client.ts';
export { MEDIA, blobOf, buildImage, buildIndex, descriptor } from '../test/support/images.ts';
export { startTcpProxy } from '../test/support/fakes.ts';
export { DEFAULTS as RESOLVE_DEFAULTS } from '../src/registry/resolve.ts';
