// Where a run's credentials come from, in order (first match wins; docs/credentials.md):
//   1. pullcheck's config `registries:` / the Action's `registry-auth` input   (configKeychain, in run.ts)
//   1b. with `use-pull-secrets: true`, the dockerconfigjson Secrets in the manifests (in run.ts)
//   2. Docker's config.json, with its credential helpers                       (dockerKeychain)
//   3. podman / skopeo auth.json                                                (podmanKeychain)
//   4. the workflow's GITHUB_TOKEN, for ghcr.io only                            (githubTokenKeychain)
//   5. anonymous
import type { Finding } from '../model.js';
import { rule } from '../judge/rules.js';
import { dockerKeychain } from './docker-config.js';
import { githubTokenKeychain } from './github-token.js';
import { chain, type CredentialProblem, type Keychain } from './keychain.js';
import { podmanKeychain } from './podman.js';

export { configKeychain, parseRegistryAuth, secretsOf } from './config.js';
export { anonymous, chain, type Credential, type CredentialProblem, type Keychain } from './keychain.js';
export { readClusterObjects, pullSecretKeychain, type ClusterObjects, type ManifestSource } from './pull-secrets.js';
export { refusedAnonymously } from './anonymous-probe.js';
export { unverifiedWithoutCredentials } from './unverified.js';

export interface EnvironmentKeychainOptions {
  /** The Action's `github-token` input (or GITHUB_TOKEN for the CLI); used for ghcr.io only. */
  githubToken?: string | null;
  /** Sent as the user name with the GitHub token (ghcr.io ignores it); default `x-access-token`. */
  githubActor?: string | null;
  /** How long a credential helper may take (default 10 s). */
  helperTimeoutMs?: number;
}

/** Sources 2–4: what the machine the run is on already has. */
export function environmentKeychain(env: NodeJS.ProcessEnv, options: EnvironmentKeychainOptions = {}): Keychain {
  return chain(
    dockerKeychain(env, options.helperTimeoutMs),
    podmanKeychain(env, options.helperTimeoutMs),
    githubTokenKeychain(options.githubToken, options.githubActor),
  );
}

/** Keychain problems as run-level findings (no file range: they are about the machine, not a manifest). */
export function problemFindings(problems: CredentialProblem[]): Finding[] {
  const seen = new Set<string>();
  return problems.flatMap((p) => {
    if (seen.has(p.message)) return [];
    seen.add(p.message);
    return [{ rule: p.rule, severity: rule(p.rule).severity, message: p.message, range: null, image: null, fix: null }];
  });
}
