// Whether an image needs credentials at all. The registry client sends the credentials it has from the
// start (a Docker Hub login is used for public images too, for its higher quota), so `authenticated` on a
// Resolution only says credentials were used. The cluster needs a pull secret only where an anonymous pull
// is refused, so the images that resolved with credentials are asked again, anonymously, manifest HEAD
// only (no platforms wanted): a HEAD does not count against Docker Hub's pull quota.
import type { Resolution } from '../model.js';
import type { ImageReference } from '../reference/index.js';
import { resolveAll, type RegistryConfig } from '../registry/index.js';
import { anonymous } from './keychain.js';

export interface AnonymousProbeOptions {
  registries: Record<string, RegistryConfig>;
  timeoutMs: number;
}

const REFUSED = new Set(['unauthorized', 'access-denied']);

/** The canonical references (among `refs`) that resolved with credentials and that anonymous pulls are refused. */
export async function refusedAnonymously(refs: ImageReference[], resolutions: Map<string, Resolution>, options: AnonymousProbeOptions): Promise<Set<string>> {
  const probe = refs.filter((ref) => {
    const r = resolutions.get(ref.canonical);
    return r?.status === 'ok' && r.authenticated;
  });
  if (probe.length === 0) return new Set();
  const anonymousAnswers = await resolveAll(probe, { registries: options.registries, keychain: anonymous, platforms: [], timeoutMs: options.timeoutMs });
  return new Set([...anonymousAnswers].filter(([, r]) => REFUSED.has(r.status)).map(([canonical]) => canonical));
}
