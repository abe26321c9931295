// Where credentials for a registry host come from. The registry client asks a Keychain once per host;
// implementations (config file, Docker config.json, podman auth.json, GITHUB_TOKEN …) are chained so the
// first one that knows the host wins.

export type Credential =
  | { kind: 'basic'; username: string; password: string; source: string }
  /** A registry bearer token used as is (e.g. `registrytoken`, a GitHub token for ghcr.io). */
  | { kind: 'token'; token: string; source: string }
  /** An OAuth2 refresh token (`identitytoken`), exchanged at the token realm for an access token. */
  | { kind: 'identity'; token: string; username: string | null; source: string };

export interface Keychain {
  /** `host` is the registry as written in canonical references: `docker.io`, `ghcr.io`, `127.0.0.1:5000`. */
  resolve(host: string): Promise<Credential | null>;
}

export const anonymous: Keychain = { resolve: async () => null };

/** Asks each keychain in order; the first that knows the host wins. */
export function chain(...keychains: Keychain[]): Keychain {
  return {
    async resolve(host) {
      for (const k of keychains) {
        const found = await k.resolve(host);
        if (found) return found;
      }
      return null;
    },
  };
}
