// The pull estimate and the pull-quota rule on their own, for what the loopback fake cannot show: an
// account's quota (the fake asks for no login), ServiceAccount pull secrets, pull policies, the wording of a
// 429 from Docker Hub itself, and the job summary's quota table.
import { describe, expect, it } from 'vitest';
import { judgeQuotas, type QuotaContext, type QuotaSubject } from '../../src/judge/quota.js';
import { rateLimitMessage } from '../../src/judge/rate-limit.js';
import type { ClusterObjects } from '../../src/credentials/pull-secrets.js';
import type { ImageOccurrence, PodFacts, Quota, Resolution } from '../../src/model.js';
import { parseReference } from '../../src/reference/index.js';
import { formatSummary } from '../../src/report/github-summary.js';
import { buildReport } from '../../src/report/report.js';

const NO_CLUSTER: ClusterObjects = { serviceAccounts: [], secrets: [] };
const HUB_QUOTA: Quota = { limit: 200, remaining: 40, windowSeconds: 21600, source: 'account-7f3a' };

function subject(written: string, pod: Partial<PodFacts>, line = 10, workload = 'Deployment/shop/web'): QuotaSubject {
  const parsed = parseReference(written);
  if (!parsed.ok) throw new Error(written);
  const occurrence: ImageOccurrence = {
    written, workload, container: 'c', path: 'spec.template.spec.containers[0].image', origin: 'manifest',
    range: { file: 'deploy/app.yaml', line, column: 16, endLine: line, endColumn: 16 + written.length },
    pod: { kind: 'Deployment', namespace: 'shop', name: 'web', replicas: null, imagePullSecrets: [], serviceAccountName: null, nodeSelector: {}, imagePullPolicy: null, ...pod },
  };
  return { occurrence, ref: parsed.ref };
}

function resolution(subjectOf: QuotaSubject, patch: Partial<Resolution> = {}): Resolution {
  return {
    reference: subjectOf.ref.canonical, status: 'ok', digest: `sha256:${'a'.repeat(64)}`, mediaType: 'application/vnd.oci.image.index.v1+json',
    platforms: ['linux/amd64', 'linux/arm64'], checkedAt: '2026-11-25T10:00:00.000Z', evidence: { httpStatus: 200, errorCode: null, detail: null },
    durationMs: 1, suggestions: [], tagDigest: null, quota: HUB_QUOTA, retryAfterSeconds: null, authenticated: true, credentialSource: 'docker config', ...patch,
  };
}

function judgeAll(subjects: QuotaSubject[], patch: (s: QuotaSubject) => Partial<Resolution> = () => ({}), ctx: Partial<QuotaContext> = {}) {
  const resolutions = new Map(subjects.map((s) => [s.ref.canonical, resolution(s, patch(s))]));
  return judgeQuotas(subjects, { resolutions, platforms: ['linux/amd64'], nodes: 3, cluster: NO_CLUSTER, severities: {}, ...ctx });
}

describe('pull estimate per workload', () => {
  it('counts replicas, the default pull policy, DaemonSets per node, and Never as nothing', () => {
    const { quota } = judgeAll([
      subject('nginx:1.25', { replicas: 10 }, 1), // IfNotPresent (a version tag): at most once per node → 3
      subject('acme/tool', { replicas: 4 }, 2), // no tag: latest, Always → 4
      subject('acme/agent:2', { kind: 'DaemonSet' }, 3, 'DaemonSet/shop/agent'), // 3 nodes, IfNotPresent → 3
      subject('acme/cached:1', { replicas: 9, imagePullPolicy: 'Never' }, 4), // → 0
      subject('acme/job:1', {}, 5), // replicas absent → 1
    ]);
    expect(quota!.workloads.map((w) => [w.line, w.policy, w.pods, w.pulls])).toEqual([
      [1, 'IfNotPresent', 10, 3], [2, 'Always', 4, 4], [3, 'IfNotPresent', 3, 3], [4, 'Never', 9, 0], [5, 'IfNotPresent', 1, 1],
    ]);
    expect(quota!.identities[0]!.estimatedPulls).toBe(11);
  });

  it('lets IfNotPresent pulls of one image share the nodes across workloads', () => {
    const { quota } = judgeAll([subject('nginx:1.25', { replicas: 2 }, 1), subject('nginx:1.25', { replicas: 2 }, 2, 'Deployment/shop/api')]);
    expect(quota!.workloads.map((w) => w.pulls)).toEqual([2, 2]);
    expect(quota!.identities[0]!.estimatedPulls).toBe(3); // 3 nodes, not 4
  });

  it('reads the ServiceAccount\'s pull secrets when the manifests hold it', () => {
    const withAccount: ClusterObjects = { serviceAccounts: [{ name: 'puller', namespace: 'shop', file: 'sa.yaml', line: 1, imagePullSecrets: ['hub'] }], secrets: [] };
    const { quota } = judgeAll([subject('nginx:1.25', { serviceAccountName: 'puller' }, 1), subject('acme/a:1', {}, 2)], () => ({}), { cluster: withAccount });
    expect(quota!.workloads.map((w) => w.anonymous)).toEqual([false, true]);
  });

  it('is null when no registry announced a quota', () => {
    expect(judgeAll([subject('nginx:1.25', {})], () => ({ quota: null }))).toEqual({ findings: [], quota: null });
  });
});

describe('pull-quota with an account\'s quota', () => {
  it('warns at each workload with a pull secret when their pulls exceed what the account has left', () => {
    const subjects = [
      subject('acme/api:1', { replicas: 30, imagePullPolicy: 'Always', imagePullSecrets: ['hub'] }, 12),
      subject('acme/web:1', { replicas: 20, imagePullPolicy: 'Always', imagePullSecrets: ['hub'] }, 40),
      subject('acme/anon:1', { replicas: 50, imagePullPolicy: 'Always' }, 60), // anonymous: not the account's pulls
    ];
    const { findings } = judgeAll(subjects);
    expect(findings.map((f) => [f.rule, f.severity, f.range!.line])).toEqual([['pull-quota', 'warning', 12], ['pull-quota', 'warning', 40]]);
    expect(findings[0]!.message).toBe(
      'acme/api:1 in Deployment/shop/web can be pulled up to 30 times (30 replicas, pulled Always: on every pod start); '
      + 'the rollout\'s pulls with a pull secret (up to 50) exceed what the account this check used has left on docker.io: 40 of 200 per 6 h; '
      + 'if the pull secret is that account, the rest fail with 429. '
      + 'Fixes: give the pods a pull secret for an account, pull through a mirror or pull-through cache, or pin digests and pre-pull the images.',
    );
  });

  it('stays quiet within the quota, and does not compare anonymous pods with an account it cannot see', () => {
    expect(judgeAll([subject('acme/api:1', { replicas: 40, imagePullPolicy: 'Always', imagePullSecrets: ['hub'] })]).findings).toEqual([]);
    // checked with an account: the anonymous limit is unknown, so 500 anonymous pulls are not judged
    expect(judgeAll([subject('acme/api:1', { replicas: 500, imagePullPolicy: 'Always' })]).findings).toEqual([]);
  });

  it('follows the severity override, and "off" drops the rule', () => {
    const heavy = [subject('acme/api:1', { replicas: 90, imagePullPolicy: 'Always', imagePullSecrets: ['hub'] })];
    expect(judgeAll(heavy, () => ({}), { severities: { 'pull-quota': 'error' } }).findings[0]!.severity).toBe('error');
    expect(judgeAll(heavy, () => ({}), { severities: { 'pull-quota': 'off' } }).findings).toEqual([]);
  });
});

describe('rate-limited wording', () => {
  const nginx = subject('nginx:1.25', {});
  it('tells Docker Hub\'s abuse protection from the pull quota', () => {
    const abuse = resolution(nginx, { status: 'rate-limited', quota: null, authenticated: false });
    expect(rateLimitMessage(nginx.ref, abuse)).toBe('Docker Hub answered 429 for library/nginx without rate-limit headers: that is its abuse protection (too many requests from this address in a short time), not the pull quota; retry in a few minutes.');
    const spent = resolution(nginx, { status: 'rate-limited', quota: { ...HUB_QUOTA, remaining: 0 }, retryAfterSeconds: 120 });
    expect(rateLimitMessage(nginx.ref, spent)).toBe('docker.io refused library/nginx with 429: the pull limit is spent (0 of 200 pulls left per 6 h for the account account-7f3a (credentials from docker config)); it resets at 2026-11-25T10:02:00.000Z (Retry-After). Pulls that count against the same identity fail the same way until then.');
  });

  it('words another registry\'s 429 (or a mirror\'s) with its own reset time', () => {
    const ghcr = subject('ghcr.io/acme/api:1', {});
    expect(rateLimitMessage(ghcr.ref, resolution(ghcr, { status: 'rate-limited', quota: null, retryAfterSeconds: 30 })))
      .toBe('ghcr.io answered 429 Too Many Requests for acme/api; it asks to wait until 2026-11-25T10:00:30.000Z. Pulls fail the same way until the limit resets.');
    expect(rateLimitMessage(nginx.ref, resolution(nginx, { status: 'rate-limited', quota: null, endpoint: 'cache.internal:5000' })))
      .toMatch(/^cache\.internal:5000 answered 429 Too Many Requests for library\/nginx; it gave no reset time\./);
  });
});

describe('job summary', () => {
  it('shows the headroom per identity next to the rollout estimate', () => {
    const subjects = [subject('acme/api:1', { replicas: 5, imagePullPolicy: 'Always' })];
    const { quota } = judgeAll(subjects, () => ({ authenticated: false, quota: { limit: 100, remaining: 76, windowSeconds: 21600, source: '192.0.2.7' } }));
    const report = buildReport({ files: 1, documents: 1, objects: [], references: [], occurrences: 1, resolutions: null, findings: [], renders: [], offline: false, durationMs: 5, quota });
    const text = formatSummary(report, { failed: false, failOn: 'error', filterMode: 'nofilter', filteredOut: 0, notes: [], blobUrl: null });
    expect(text).toContain('### Pull quota');
    expect(text).toContain('| <code>docker.io</code> | anonymous <code>192.0.2.7</code> | 76 | 100 | 6 h | 5 (5 anonymous) |');
  });
});
