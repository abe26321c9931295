// resolveAll: every unique canonical reference checked once, all registries in parallel under a global and
// a per-registry limit, within one deadline after which every unfinished image gets registry-unreachable.
import type { Resolution } from '../model.js';
import type { ImageReference } from '../reference/index.js';
import { RegistryHost, type HostServices, type Trace } from './host.js';
import { Deadline, DeadlineExceeded, Semaphore } from './limits.js';
import { checkReference, type Outcome } from './manifests.js';
import type { ResolveOptions } from './options.js';
import { closestNames } from './suggest.js';
import { cleanText, redact } from './text.js';
import { Tokens } from './tokens.js';
import { Transport } from './transport.js';
import { NetworkError, networkVerdict, Verdict } from './verdict.js';

// 32 per registry: a check is one small request, so a run is bound by round trips; at 16 a 1,000-image run
// took twice the round trips (docs/benchmarks.md). The global limit lets two large registries go at full speed.
export const DEFAULTS = { requestTimeoutMs: 15_000, concurrency: 64, perRegistryConcurrency: 32, retries: 3 };
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
    addressGuard: { allowLinkLocal: linkLocalAllowed(options.registries), resolve: options.lookup },
  });
  const services = { transport, tokens: new Tokens(transport), keychain: options.keychain, deadline, perRegistryConcurrency: settings.perRegistryConcurrency };
  const now = options.now ?? (() => new Date());
  const wantPlatforms = options.platforms.length > 0;
  // Immutable references answered in an earlier run are not asked again (src/cache/); their registries
  // are not even pinged when nothing else needs them.
  const cached = new Map(unique.flatMap((ref) => {
    const hit = options.cache?.get(ref, wantPlatforms);
    return hit ? [[ref.canonical, hit] as const] : [];
  }));
  const asked = unique.filter((ref) => !cached.has(ref.canonical));
  const chains = new Map<string, RegistryHost[]>();
  for (const ref of asked) {
    if (chains.has(ref.registry)) continue;
    const repositories = [...new Set(asked.filter((r) => r.registry === ref.registry).map((r) => r.repository))];
    chains.set(ref.registry, hostChain(ref.registry, options.registries, repositories, services));
  }
  try {
    let done = 0;
    const resolved = await Promise.all(
      unique.map(async (ref) => {
        const resolution = cached.get(ref.canonical) ?? (await resolveOne(ref, chains.get(ref.registry) as RegistryHost[], deadline, wantPlatforms, now));
        options.onResolved?.(++done, unique.length);
        return [ref, resolution] as const;
      }),
    );
    suggestRepositories(resolved);
    for (const [ref, resolution] of resolved) options.cache?.put(ref, resolution);
    return new Map(resolved.map(([ref, resolution]) => [ref.canonical, resolution]));
  } finally {
    deadline.dispose();
    await transport.close();
  }
}

/**
 * The hosts asked for a registry, in order: its mirrors, then the registry itself (at its configured
 * endpoint, if any), as containerd reads hosts.toml. A mirror is a host of its own: its own ping, token
 * service, rate limit, and credentials (the keychain is asked for the mirror's host; `ca`/`insecure` come
 * from the config entry of that host, when there is one).
 */
function hostChain(registry: string, registries: ResolveOptions['registries'], repositories: string[], services: HostServices): RegistryHost[] {
  const config = registries[registry] ?? {};
  const mirrors = (config.mirrors ?? []).map((url) => {
    const host = new URL(url).host;
    return new RegistryHost(host, { ...registries[host], endpoint: url }, repositories, services);
  });
  return [...mirrors, new RegistryHost(registry, config, repositories, services)];
}

interface Attempt {
  host: RegistryHost;
  trace: Trace;
  outcome: Outcome;
  retryAfterSeconds: number | null;
}

/** Each host of the chain in turn until one serves the image; the last host's answer is final. */
async function resolveOne(ref: ImageReference, chain: RegistryHost[], deadline: Deadline, wantPlatforms: boolean, now: () => Date): Promise<Resolution> {
  const started = performance.now();
  const passedOver: Attempt[] = [];
  let attempt: Attempt | null = null;
  for (const [index, host] of chain.entries()) {
    const last = index === chain.length - 1;
    attempt = await attemptOn(host, ref, deadline, { wantPlatforms, triage: last });
    if (last || attempt.outcome.status === 'ok') break;
    passedOver.push(attempt);
  }
  const { host, trace, outcome, retryAfterSeconds } = attempt as Attempt;
  const secrets = (await Promise.all([host, ...passedOver.map((a) => a.host)].map((h) => h.secrets()))).flat();
  const mirrors = outcome.status === 'ok' || passedOver.length === 0
    ? ''
    : `; before it, ${passedOver.map((a) => `mirror ${a.host.name}: ${a.outcome.evidence.detail ?? a.outcome.status}`).join('; ')}`;
  const said = outcome.evidence.detail === null && mirrors === '' ? null : `${outcome.evidence.detail ?? outcome.status}${mirrors}`;
  const detail = said === null ? null : cleanText(redact(said, secrets), 300);
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
    ...(host === chain[chain.length - 1] ? {} : { endpoint: host.endpointHost }),
  };
}

async function attemptOn(host: RegistryHost, ref: ImageReference, deadline: Deadline, how: { wantPlatforms: boolean; triage: boolean }): Promise<Attempt> {
  const trace: Trace = { authenticated: false, credentialSource: null, quota: null };
  try {
    // The race makes the deadline absolute, whatever a check is waiting for (a credential helper included).
    const outcome = await Promise.race([checkReference({ host, trace, ...how }, ref), deadline.expired()]);
    return { host, trace, outcome, retryAfterSeconds: null };
  } catch (error) {
    const ended = asVerdict(error, host.name);
    trace.quota = ended.quota ?? trace.quota;
    const outcome = { status: ended.status, digest: null, mediaType: null, platforms: null, evidence: ended.evidence, suggestions: [], tagDigest: null };
    return { host, trace, outcome, retryAfterSeconds: ended.retryAfterSeconds };
  }
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

/** `host[:port]` of every registry (and its endpoint) whose config allows a link-local address. */
function linkLocalAllowed(registries: ResolveOptions['registries']): Set<string> {
  const hosts = new Set<string>();
  for (const [host, config] of Object.entries(registries)) {
    if (!config.allowLinkLocal) continue;
    hosts.add(host);
    if (config.endpoint) hosts.add(new URL(config.endpoint).host);
  }
  return hosts;
}

function definedOnly(options: ResolveOptions): Partial<typeof DEFAULTS> {
  const out: Partial<typeof DEFAULTS> = {};
  for (const key of Object.keys(DEFAULTS) as Array<keyof typeof DEFAULTS>) if (options[key] !== undefined) out[key] = options[key];
  return out;
}
