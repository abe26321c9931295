// How a 429 is worded, and the small time formatting the quota messages share. No I/O.
import type { Resolution } from '../model.js';
import type { ImageReference } from '../reference/index.js';

/** `21600` → `6 h`, `3600` → `1 h`, `90` → `90 s`. */
export function duration(seconds: number): string {
  if (seconds >= 3600 && seconds % 3600 === 0) return `${seconds / 3600} h`;
  if (seconds >= 60 && seconds % 60 === 0) return `${seconds / 60} min`;
  return `${seconds} s`;
}

/**
 * The `rate-limited` message: whose limit it is and when it resets (Retry-After, else the window). Docker
 * Hub's abuse protection answers 429 without the rate-limit headers: that is not the pull quota, and says so.
 */
export function rateLimitMessage(ref: ImageReference, r: Resolution): string {
  const host = r.endpoint ?? ref.registry;
  const resetAt = r.retryAfterSeconds !== null && r.checkedAt ? new Date(Date.parse(r.checkedAt) + r.retryAfterSeconds * 1000).toISOString() : null;
  if (r.quota) {
    const window = r.quota.windowSeconds === null ? 'window' : duration(r.quota.windowSeconds);
    const who = r.authenticated ? `the account${r.quota.source ? ` ${r.quota.source}` : ''} (credentials from ${r.credentialSource ?? 'the keychain'})` : `anonymous pulls from ${r.quota.source ?? 'this address'}`;
    const left = `${r.quota.remaining ?? 0} of ${r.quota.limit ?? '?'} pulls left per ${window} for ${who}`;
    const reset = resetAt ? `it resets at ${resetAt} (Retry-After)` : `it refills as pulls age out of the ${window} window`;
    return `${host} refused ${ref.repository} with 429: the pull limit is spent (${left}); ${reset}. Pulls that count against the same identity fail the same way until then.`;
  }
  if (ref.registry === 'docker.io' && !r.endpoint) {
    return `Docker Hub answered 429 for ${ref.repository} without rate-limit headers: that is its abuse protection (too many requests from this address in a short time), not the pull quota; ${resetAt ? `retry after ${resetAt}` : 'retry in a few minutes'}.`;
  }
  return `${host} answered 429 Too Many Requests for ${ref.repository}; ${resetAt ? `it asks to wait until ${resetAt}` : 'it gave no reset time'}. Pulls fail the same way until the limit resets.`;
}
