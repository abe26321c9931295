// "Could not verify" is never "refused". When this run lacks the credentials the real pull would have —
// a fork pull request gets no secrets, or a credential helper failed — a refusal from the registry says
// nothing about the image, so it becomes `unverified` (a notice) with the reason.
import type { Resolution } from '../model.js';
import { normaliseHost } from '../options.js';
import type { CredentialProblem } from './keychain.js';

export interface MissingCredentials {
  /** The run has no secrets at all (Options.noSecrets: a pull request from a fork). */
  noSecrets: boolean;
  /** Problems the keychain met; a failed credential helper for a host makes that host's refusals unverified. */
  problems: CredentialProblem[];
}

const REFUSED = new Set(['unauthorized', 'access-denied']);

/** The resolutions with refusals turned into `unverified` where this run's missing credentials explain them. */
export function unverifiedWithoutCredentials(resolutions: Map<string, Resolution>, missing: MissingCredentials): Map<string, Resolution> {
  const failedHosts = new Set(missing.problems.filter((p) => p.rule === 'credential-helper-failed' && p.host).map((p) => p.host as string));
  const result = new Map<string, Resolution>();
  for (const [canonical, resolution] of resolutions) {
    const host = normaliseHost(canonical.split('/', 1)[0] ?? '');
    let reason: string | null = null;
    if (REFUSED.has(resolution.status)) {
      if (missing.noSecrets) reason = 'this run has no registry secrets (a pull request from a fork), so a private image cannot be checked';
      else if (failedHosts.has(host) && !resolution.authenticated) reason = `the credential helper for ${host} failed, so the image was checked without credentials`;
    }
    result.set(canonical, reason ? { ...resolution, status: 'unverified', evidence: { ...resolution.evidence, detail: reason } } : resolution);
  }
  return result;
}
