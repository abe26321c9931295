// resolveAll: every unique canonical reference checked once, all registries in parallel under a global and
// a per-registry limit, within one deadline after which every unfinished image gets registry-unreachable.
import type { Resolution } from '../model.js';
import type { ImageReference } from '../reference/index.js';
import { RegistryHost, type Trace } from './host.js';
import { Deadline, DeadlineExceeded, Semaphore } from './limits.js';
import { checkReference, type Outcome } from './manifests.js';
import type { ResolveOptions } from './options.js';
import { closestNames } from './suggest.js';
import { cleanText, redact } from './text.js';
import { Tokens } from './tokens.js';
import { Transport } from './transport.js';
import { NetworkError, networkVerdict, Verdict } from './verdict.js';

const DEFAULTS = { requestTimeoutMs: 15_000, concurrency: 32, perRegistryConcurrency: 16, retries: 3 };
/** Repository names this close (edits) to a missing one are offered instead. */
const REPOSITORY_DISTANCE = 2;

/** Resolves each unique reference (by `canonical`) once; the map is keyed by `canonical`. */
export async function resolveAll(refs: ImageReference[], options: ResolveOptions): Promise<Map<string, Resolution>> {
  const unique = [...new Map(refs.map((ref) => [ref.canonical, ref])).values()];
  const settings = { ...DEFAULTS, ...definedOnly(options) };
  const deadline = new Deadline(options.timeoutMs);
  const transport = new Transport({
    deadline,
    globalLimiter: new Semaphore(settings.concurrency),
    requestTimeoutMs: settings.requestTimeoutMs,
    retries: settings.retries,
    connectionsPerOrigin: settings.perRegistryConcurrency,
  });
  const services = { transport, tokens: new Tokens(transport), keychain: options.keychain, deadline, perRegistryConcurrency: settings.perRegistryConcurrency };
  const hosts = new Map<string, RegistryHost>();
  for (const ref of unique) {
    if (hosts.has(ref.registry)) continue;
    const repositories = [...new Set(unique.filter((r) => r.registry === ref.registry).map((r) => r.repository))];
    hosts.set(ref.registry, new RegistryHost(ref.registry, options.registries[ref.registry] ?? {}, repositories, services));
  }
  const now = options.now ?? (() => new Date());
  const wantPlatforms = options.platforms.length > 0;
  try {
    const resolved = await Promise.all(
      unique.map(async (ref) => [ref, await resolveOne(ref, hosts.get(ref.registry) as RegistryHost, deadline, wantPlatforms, now)] as const),
    );
    suggestRepositories(resolved);
    return new Map(resolved.map(([ref, resolution]) => [ref.canonical, resolution]));
  } finally {
    deadline.dispose();
    await transport.close();
  }
}

async function resolveOne(ref: ImageReference, host: RegistryHost, deadline: Deadline, wantPlatforms: boolean, now: () => Date): Promise<Resolution> {
  const started = performance.now();
  const trace: Trace = { authenticated: false, credentialSource: null, quota: null };
  let outcome: Outcome;
  let retryAfterSeconds: number | null = null;
  try {
    // The race makes the deadline absolute, whatever a check is waiting for (a credential helper included).
    outcome = await Promise.race([checkReference({ host, trace, wantPlatforms }, ref), deadline.expired()]);
  } catch (error) {
    const ended = asVerdict(error, host.name);
    retryAfterSeconds = ended.retryAfterSeconds;
    outcome = { status: ended.status, digest: null, mediaType: null, platforms: null, evidence: ended.evidence, suggestions: [], tagDigest: null };
  }
  const secrets = await host.secrets();
  const detail = outcome.evidence.detail === null ? null : cleanText(redact(outcome.evidence.detail, secrets), 300);
  return {
    reference: ref.canonical,
    status: outcome.status,
    digest: outcome.digest,
    mediaType: outcome.mediaType,
    platforms: outcome.platforms,
    checkedAt: now().toISOString(),
    evidence: { ...outcome.evidence, detail },
    durationMs: Math.round(performance.now() - started),
    suggestions: outcome.suggestions,
    tagDigest: outcome.tagDigest,
    quota: trace.quota,
    retryAfterSeconds,
    authenticated: trace.authenticated,
    credentialSource: trace.credentialSource,
  };
}

function asVerdict(error: unknown, registry: string): Verdict {
  if (error instanceof Verdict) return error;
  if (error instanceof NetworkError) return networkVerdict(error);
  if (error instanceof DeadlineExceeded) {
    return new Verdict('registry-unreachable', { httpStatus: null, errorCode: null, detail: `${error.message} before ${registry} answered` });
  }
  // A defect in pullcheck, not an answer of the registry: say so, and never call it missing.
  const message = error instanceof Error ? error.message : String(error);
  return new Verdict('unverified', { httpStatus: null, errorCode: null, detail: `internal error while checking: ${message}` });
}

/**
 * A missing repository may be a typo of another repository of the same registry in this run that does
 * exist: offer those within REPOSITORY_DISTANCE edits, as full references with the original tag/digest.
 */
function suggestRepositories(resolved: ReadonlyArray<readonly [ImageReference, Resolution]>): void {
  const EXISTS = new Set(['ok', 'tag-not-found', 'digest-not-found']);
  for (const [ref, resolution] of resolved) {
    if (resolution.status !== 'repository-not-found') continue;
    const existing = resolved.filter(([other, r]) => other.registry === ref.registry && EXISTS.has(r.status)).map(([other]) => other.repository);
    const suffix = ref.canonical.slice(ref.name.length); // `:tag`, `@digest` or both
    resolution.suggestions = closestNames(ref.repository, existing, REPOSITORY_DISTANCE).map((repository) => `${ref.registry}/${repository}${suffix}`);
  }
}

function definedOnly(options: ResolveOptions): Partial<typeof DEFAULTS> {
  const out: Partial<typeof DEFAULTS> = {};
  for (const key of Object.keys(DEFAULTS) as Array<keyof typeof DEFAULTS>) if (options[key] !== undefined) out[key] = options[key];
  return out;
}
