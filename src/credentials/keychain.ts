// Where credentials for a registry host come from. The registry client asks a Keychain once per host;
// implementations (config file, Docker config.json, podman auth.json, GITHUB_TOKEN …) are chained so the
// first one that knows the host wins. The order is documented in docs/credentials.md.

export type Credential =
  | { kind: 'basic'; username: string; password: string; source: string }
  /** A registry bearer token used as is (e.g. `registrytoken`). */
  | { kind: 'token'; token: string; source: string }
  /** An OAuth2 refresh token (`identitytoken`), exchanged at the token realm for an access token. */
  | { kind: 'identity'; token: string; username: string | null; source: string };

/**
 * Something that went wrong while looking for credentials (a credential helper that failed, a config file
 * that is not JSON). The lookup goes on with the next source; the pipeline reports these as findings.
 * Messages name the file or helper and never hold a secret.
 */
export interface CredentialProblem {
  rule: 'credential-helper-failed' | 'credential-file-invalid';
  /** The registry host being looked up when it happened; null for a problem with a whole file. */
  host: string | null;
  message: string;
}

export interface Keychain {
  /** `host` is the registry as written in canonical references: `docker.io`, `ghcr.io`, `127.0.0.1:5000`. */
  resolve(host: string): Promise<Credential | null>;
  /** Problems met so far, each once. Absent for sources that cannot fail. */
  problems?(): CredentialProblem[];
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
    problems: () => keychains.flatMap((k) => k.problems?.() ?? []),
  };
}

/** Remembers each host's answer, so a source that spawns processes or reads files does it once per host. */
export function memoise(keychain: Keychain): Keychain {
  const answers = new Map<string, Promise<Credential | null>>();
  return {
    resolve(host) {
      let answer = answers.get(host);
      if (!answer) {
        answer = keychain.resolve(host);
        answers.set(host, answer);
      }
      return answer;
    },
    ...(keychain.problems ? { problems: keychain.problems.bind(keychain) } : {}),
  };
}
