import type { Keychain } from '../credentials/keychain.js';

/** Per registry host, from the user's config. */
export interface RegistryConfig {
  /** Allow plain HTTP (HTTPS is still tried first, as Docker does for its insecure registries). */
  insecure?: boolean;
  /** Extra CA certificate(s), PEM text (the caller reads the file); trusted on top of the system's. */
  ca?: string;
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
  /** Requests in flight over all registries (default 32). */
  concurrency?: number;
  /** Requests in flight per registry (default 16). */
  perRegistryConcurrency?: number;
  /** Further attempts after a 5xx, a reset or a timeout (default 3). */
  retries?: number;
  now?: () => Date;
}
