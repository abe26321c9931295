// Pull quotas: what a rate-limited registry (Docker Hub) announced on its answers, per identity, and how
// many pulls the rollout can trigger against it, estimated from the manifests. No I/O.
//
// The figures are the `ratelimit-*` headers of the answers this run got (HEADs do not spend them), never
// assumed numbers. They are the quota of the identity the check used: an account's quota is shared by every
// pull with that account, the cluster's included; an anonymous quota belongs to an address, and the
// runner's address is not the nodes'. So the estimate is compared with
//   - the account's remaining pulls, for pods that pull with a pull secret (when the check used an account);
//   - the anonymous limit, for pods that name no pull secret (when the check itself was anonymous, so the
//     headers said what an anonymous address gets) — nodes behind one address share it.
import type { Finding, ImageOccurrence, PodFacts, Resolution, Severity } from '../model.js';
import type { ImageReference } from '../reference/index.js';
import { serviceAccountOf, type ClusterObjects } from '../credentials/pull-secrets.js';
import { effectiveSeverity } from './index.js';
import { runsOn, workloadPlatforms } from './platforms.js';
import { effectivePullPolicy, type PullPolicy } from './policy.js';
import { duration } from './rate-limit.js';

export interface QuotaSubject {
  occurrence: ImageOccurrence;
  ref: ImageReference;
}

export interface QuotaContext {
  resolutions: Map<string, Resolution>;
  /** Configured platforms (`auto` allowed). */
  platforms: string[];
  /** Nodes per platform (config `nodes`). */
  nodes: number;
  cluster: ClusterObjects;
  severities: Record<string, Severity | 'off'>;
}

/** One identity a registry counted this run's requests against, and the rollout's estimated pulls on it. */
export interface QuotaIdentity {
  registry: string;
  /** The host whose answers carried the figures: the registry, or a mirror / endpoint from the config. */
  endpoint: string;
  /** `docker-ratelimit-source`: the address (anonymous) or account id the figures count against. */
  source: string | null;
  authenticated: boolean;
  limit: number | null;
  /** The lowest figure seen during the run (the latest state of the quota). */
  remaining: number | null;
  windowSeconds: number | null;
  /** Unique images whose answers carried these figures. */
  images: number;
  /** Pulls the rollout can trigger for those images: by every pod, and by pods that name no pull secret. */
  estimatedPulls: number;
  anonymousPulls: number;
}

/** The estimate for one image in one workload. */
export interface PullEstimate {
  file: string;
  line: number;
  workload: string;
  container: string | null;
  image: string;
  registry: string;
  pods: number;
  policy: PullPolicy;
  architectures: number;
  pulls: number;
  /** The pod and its ServiceAccount (when scanned) name no pull secret: the nodes pull anonymously. */
  anonymous: boolean;
}

export interface QuotaReport {
  nodes: number;
  identities: QuotaIdentity[];
  workloads: PullEstimate[];
}

interface Counted {
  subject: QuotaSubject;
  resolution: Resolution;
  identity: string;
  estimate: PullEstimate;
}

export function judgeQuotas(subjects: QuotaSubject[], ctx: QuotaContext): { findings: Finding[]; quota: QuotaReport | null } {
  const identities = identitiesOf(ctx.resolutions);
  if (identities.size === 0) return { findings: [], quota: null };

  const counted: Counted[] = [];
  for (const subject of subjects) {
    const resolution = ctx.resolutions.get(subject.ref.canonical);
    const pod = subject.occurrence.pod;
    if (!pod || !resolution?.quota || (resolution.status !== 'ok' && resolution.status !== 'rate-limited')) continue;
    const estimate = estimatePulls(subject, pod, resolution, ctx);
    if (estimate) counted.push({ subject, resolution, identity: identityKey(resolution), estimate });
  }

  const findings: Finding[] = [];
  for (const [key, identity] of identities) {
    const mine = counted.filter((c) => c.identity === key);
    identity.estimatedPulls = totalPulls(mine.map((c) => c.estimate), ctx.nodes);
    identity.anonymousPulls = totalPulls(mine.filter((c) => c.estimate.anonymous).map((c) => c.estimate), ctx.nodes);
    findings.push(...overQuota(identity, mine, ctx));
  }
  return { findings, quota: { nodes: ctx.nodes, identities: [...identities.values()], workloads: counted.map((c) => c.estimate) } };
}

function identityKey(r: Resolution): string {
  return JSON.stringify([r.reference.split('/', 1)[0], r.endpoint ?? null, r.quota?.source ?? null, r.authenticated]);
}

function identitiesOf(resolutions: Map<string, Resolution>): Map<string, QuotaIdentity> {
  const result = new Map<string, QuotaIdentity>();
  for (const r of resolutions.values()) {
    if (!r.quota) continue;
    const registry = r.reference.split('/', 1)[0]!;
    const key = identityKey(r);
    const known = result.get(key);
    if (!known) {
      result.set(key, {
        registry, endpoint: r.endpoint ?? registry, source: r.quota.source, authenticated: r.authenticated,
        limit: r.quota.limit, remaining: r.quota.remaining, windowSeconds: r.quota.windowSeconds, images: 1, estimatedPulls: 0, anonymousPulls: 0,
      });
      continue;
    }
    known.images += 1;
    if (r.quota.remaining !== null && (known.remaining === null || r.quota.remaining < known.remaining)) {
      known.remaining = r.quota.remaining;
      known.limit = r.quota.limit ?? known.limit;
    }
  }
  return result;
}

/** Pods the workload runs: replicas as written (1 when absent), a DaemonSet one per node of each platform. */
function podCount(pod: PodFacts, nodes: number, architectures: number): number {
  if (pod.kind === 'DaemonSet') return nodes * architectures;
  if (pod.kind === 'PodTemplate') return 0; // a template runs nothing by itself
  return pod.replicas ?? 1;
}

function estimatePulls({ occurrence, ref }: QuotaSubject, pod: PodFacts, resolution: Resolution, ctx: QuotaContext): PullEstimate | null {
  const policy = effectivePullPolicy(ref, pod);
  if (policy === null) return null;
  // Docker Hub counts a multi-arch pull once per architecture: the workload's platforms the image offers.
  const { platforms } = workloadPlatforms(ctx.platforms, pod);
  const offered = resolution.platforms;
  const architectures = offered ? Math.max(1, platforms.filter((p) => offered.some((o) => runsOn(p, o))).length) : 1;
  const pods = podCount(pod, ctx.nodes, architectures);
  const pulls = policy === 'Never' ? 0 : policy === 'Always' ? pods : Math.min(pods, ctx.nodes * architectures);
  return {
    file: occurrence.range.file, line: occurrence.range.line, workload: occurrence.workload, container: occurrence.container,
    image: occurrence.written, registry: ref.registry, pods, policy, architectures, pulls, anonymous: pullsAnonymously(pod, ctx.cluster),
  };
}

/**
 * Pulls over all estimates, per image: Always pulls add up; IfNotPresent pulls of one image share the nodes
 * (a node that has it pulls it no more, whichever workload asked first).
 */
function totalPulls(estimates: PullEstimate[], nodes: number): number {
  const byImage = new Map<string, PullEstimate[]>();
  for (const e of estimates) byImage.set(e.image, [...(byImage.get(e.image) ?? []), e]);
  let total = 0;
  for (const group of byImage.values()) {
    total += group.filter((e) => e.policy === 'Always').reduce((sum, e) => sum + e.pulls, 0);
    const once = group.filter((e) => e.policy === 'IfNotPresent');
    const cap = nodes * Math.max(0, ...once.map((e) => e.architectures));
    total += Math.min(cap, once.reduce((sum, e) => sum + e.pods, 0));
  }
  return total;
}

/** No pull secret on the pod, nor on its ServiceAccount when the manifests hold it (an unread one may have some). */
function pullsAnonymously(pod: PodFacts, cluster: ClusterObjects): boolean {
  if (pod.imagePullSecrets.length > 0) return false;
  const account = serviceAccountOf(pod, cluster);
  return account === null || (account.imagePullSecrets !== null && account.imagePullSecrets.length === 0);
}

function overQuota(identity: QuotaIdentity, counted: Counted[], ctx: QuotaContext): Finding[] {
  const severity = effectiveSeverity('pull-quota', undefined, ctx.severities);
  if (severity === 'off') return [];
  const window = identity.windowSeconds === null ? 'window' : duration(identity.windowSeconds);
  const fixes = 'Fixes: give the pods a pull secret for an account, pull through a mirror or pull-through cache, or pin digests and pre-pull the images.';
  let over: Counted[] = [];
  let why = '';
  if (!identity.authenticated && identity.limit !== null && identity.anonymousPulls > identity.limit) {
    over = counted.filter((c) => c.estimate.anonymous);
    why = `the pod names no pull secret, so nodes pull anonymously; the rollout's anonymous pulls from ${identity.endpoint} (up to ${identity.anonymousPulls} in all) exceed the ${identity.limit} pulls per ${window} it allows one address, and nodes behind one address (NAT) share them.`;
  } else if (identity.authenticated && identity.remaining !== null) {
    const withSecret = counted.filter((c) => !c.estimate.anonymous);
    const pulls = totalPulls(withSecret.map((c) => c.estimate), ctx.nodes);
    if (pulls > identity.remaining) {
      over = withSecret;
      why = `the rollout's pulls with a pull secret (up to ${pulls}) exceed what the account this check used has left on ${identity.endpoint}: ${identity.remaining} of ${identity.limit ?? '?'} per ${window}; if the pull secret is that account, the rest fail with 429.`;
    }
  }
  return over
    .filter((c) => c.estimate.pulls > 0 && c.resolution.status === 'ok') // a 429 is reported as rate-limited already
    .map((c) => ({
      rule: 'pull-quota',
      severity,
      message: `${c.estimate.image} in ${c.estimate.workload} can be pulled up to ${c.estimate.pulls} time${c.estimate.pulls === 1 ? '' : 's'} (${explain(c.estimate, ctx.nodes)}); ${why} ${fixes}`,
      range: c.subject.occurrence.range,
      image: c.subject.occurrence.written,
      fix: null,
    }));
}

function explain(e: PullEstimate, nodes: number): string {
  const perArch = e.architectures > 1 ? `, ${e.architectures} architectures` : '';
  const replicas = e.workload.startsWith('DaemonSet/') ? `a DaemonSet on ${nodes} node${nodes === 1 ? '' : 's'} per platform${perArch}` : `${e.pods} replica${e.pods === 1 ? '' : 's'}`;
  const policy = e.policy === 'Always' ? 'pulled Always: on every pod start' : `pulled IfNotPresent: once per node, ${nodes * e.architectures} node${nodes * e.architectures === 1 ? '' : 's'}${perArch}`;
  return `${replicas}, ${policy}`;
}
