import type { LookupFunction } from 'node:net';
import type { Keychain } from '../credentials/keychain.js';
import type { Resolution } from '../model.js';
import type { ImageReference } from '../reference/index.js';

/** Per registry host, from the user's config. */
export interface RegistryConfig {
  /** Allow plain HTTP (HTTPS is still tried first, as Docker does for its insecure registries). */
  insecure?: boolean;
  /** Extra CA certificate(s), PEM text (the caller reads the file); trusted on top of the system's. */
  ca?: string;
  /**
   * Where the registry itself is asked instead of its own host (containerd hosts.toml `server`), as
   * `scheme://host[:port]`: a pull-through cache that stands in for it, or a loopback fake in tests.
   */
  endpoint?: string;
  /**
   * Hosts asked first, in order (containerd hosts.toml `[host."…"]`), as `scheme://host[:port]`: a mirror
   * that does not have the image (404) or fails in any way hands over to the next one, the registry last.
   */
  mirrors?: string[];
  /**
   * Let this host (and its `endpoint`) be a link-local or cloud metadata address (169.254.0.0/16, fe80::/10
   * …), which is otherwise never connected to: an image reference from a pull request must not reach the
   * runner's metadata service. See network-safety.ts and docs/security.md.
   */
  allowLinkLocal?: boolean;
  /**
   * Credentials written in the config. The client does not read these: the caller puts them in front of
   * the keychain, so there is one place credentials come from.
   */
  username?: string;
  password?: string;
  token?: string;
}

export interface ResolveOptions {
  /** Keyed by host[:port] as in canonical references (`docker.io`, `127.0.0.1:5000`). */
  registries: Record<string, RegistryConfig>;
  keychain: Keychain;
  /** Platforms the workloads need (`linux/amd64`); when empty, no manifest body is fetched for platforms. */
  platforms: string[];
  /** Global deadline for the whole resolution. */
  timeoutMs: number;
  /** Per request (default 15 s, capped by the deadline). */
  requestTimeoutMs?: number;
  /** Requests in flight over all registries (default 64). */
  concurrency?: number;
  /** Requests in flight per registry (default 32). */
  perRegistryConcurrency?: number;
  /** Further attempts after a 5xx, a reset or a timeout (default 3). */
  retries?: number;
  now?: () => Date;
  /** How host names are resolved (default dns.lookup); tests point names at chosen addresses with it. */
  lookup?: LookupFunction;
  /** Answers kept from earlier runs (src/cache/): asked before the registry, told every answer after. */
  cache?: ResolutionCache;
  /** Called as each unique reference is answered (for a progress line). */
  onResolved?: (done: number, total: number) => void;
}

/** Earlier answers for references that cannot change (see src/cache/results.ts). */
export interface ResolutionCache {
  /** A stored answer for `ref`, or null to ask the registry. `wantPlatforms`: the answer must list platforms. */
  get(ref: ImageReference, wantPlatforms: boolean): Resolution | null;
  /** Every answer of the run; the cache keeps what it may. */
  put(ref: ImageReference, resolution: Resolution): void;
}
