// pullcheck's OCI distribution client. The pipeline calls resolveAll; everything else is internal:
//   resolve.ts     resolveAll: dedupe by canonical, hosts, deadline, repository suggestions
//   manifests.ts   one reference: HEAD/GET manifest, digest checks, platforms, not-found triage
//   tags.ts        tags/list with Link pagination (once per repository)
//   suggest.ts     closest tags (version families, edit distance) and repository names
//   host.ts        one registry: endpoint (HTTPS/HTTP), ping, credential, authorization, 401 handling
//   tokens.ts      Bearer tokens: cache, single-flight, shared multi-scope prefetch, OAuth2 refresh
//   challenge.ts   WWW-Authenticate parsing
//   transport.ts   undici dispatchers per origin, timeouts, retries, Retry-After, redirects, proxies
//   limits.ts      deadline and semaphore; verdict.ts, quota.ts, digest.ts, media-types.ts, text.ts
export type { RegistryConfig, ResolutionCache, ResolveOptions } from './options.js';
export { resolveAll } from './resolve.js';
