import { describe, expect, it } from 'vitest';
import { classify, judge, restyle, type JudgeContext } from '../../src/judge/index.js';
import type { ImageOccurrence, Resolution } from '../../src/model.js';
import { parseReference } from '../../src/reference/index.js';

function occurrence(written: string, line = 7): ImageOccurrence {
  return {
    written,
    range: { file: 'deploy/app.yaml', line, column: 16, endLine: line, endColumn: 16 + written.length },
    workload: 'Deployment/shop/app',
    container: 'app',
    path: 'spec.template.spec.containers[0].image',
    origin: 'manifest',
    pod: null,
  };
}

function resolution(reference: string, patch: Partial<Resolution>): Resolution {
  return {
    reference, status: 'ok', digest: 'sha256:' + 'a'.repeat(64), mediaType: 'application/vnd.oci.image.manifest.v1+json',
    platforms: null, checkedAt: '2026-11-25T00:00:00.000Z', evidence: { httpStatus: 200, errorCode: null, detail: null },
    durationMs: 3, suggestions: [], tagDigest: null, ...patch,
  } as Resolution;
}

const offline: JudgeContext = { resolutions: null, platforms: ['linux/amd64'], severities: {} };

function findingsFor(written: string, ctx: JudgeContext = offline) {
  return judge([classify(occurrence(written))], ctx).map((f) => ({ rule: f.rule, severity: f.severity, message: f.message, fix: f.fix?.replacement ?? null }));
}

function online(written: string, patch: Partial<Resolution>, extra: Partial<JudgeContext> = {}) {
  const parsed = parseReference(written);
  if (!parsed.ok) throw new Error(written);
  const ctx: JudgeContext = { ...offline, resolutions: new Map([[parsed.ref.canonical, resolution(parsed.ref.canonical, patch)]]), ...extra };
  return findingsFor(written, ctx);
}

describe('static rules (offline)', () => {
  it('reports an invalid reference with the reason and the obvious fix', () => {
    expect(findingsFor('ghcr.io/Acme/api:1.0')).toEqual([{
      rule: 'invalid-reference', severity: 'error',
      message: expect.stringContaining('repository name must be lowercase'),
      fix: 'ghcr.io/acme/api:1.0',
    }]);
  });

  it('catches an upper-case first component, which the grammar reads as a registry host', () => {
    expect(findingsFor('Acme/api:1')).toEqual([expect.objectContaining({ rule: 'invalid-reference', severity: 'error', fix: 'acme/api:1' })]);
  });

  it.each(['${REGISTRY}/api:1', '$IMAGE', 'acme/api:<TAG>', '{{ .Values.image }}'])('calls %s a placeholder, not an invalid reference', (written) => {
    expect(findingsFor(written)).toEqual([expect.objectContaining({ rule: 'unresolved-placeholder', severity: 'warning' })]);
  });

  it('treats ko:// as built at deploy time', () => {
    expect(findingsFor('ko://github.com/acme/cmd/api')).toEqual([expect.objectContaining({ rule: 'not-a-registry-reference', severity: 'notice' })]);
  });

  it('moves k8s.gcr.io images to registry.k8s.io in the same style', () => {
    expect(findingsFor('k8s.gcr.io/pause:3.9')).toEqual([expect.objectContaining({
      rule: 'deprecated-registry', severity: 'warning', fix: 'registry.k8s.io/pause:3.9',
      message: expect.stringContaining('2023-04-03'),
    })]);
  });

  it('flags Bitnami images as an error while unverified, and keeps the familiar form in the fix', () => {
    expect(findingsFor('bitnami/redis:7.2')).toEqual([expect.objectContaining({ rule: 'deprecated-registry', severity: 'error', fix: 'bitnamilegacy/redis:7.2' })]);
    expect(findingsFor('docker.io/bitnami/redis@sha256:' + 'b'.repeat(64))).toEqual([expect.objectContaining({ fix: 'docker.io/bitnamilegacy/redis@sha256:' + 'b'.repeat(64) })]);
  });

  it('lowers a Bitnami image that still resolves to a warning, so a working pull does not block a merge', () => {
    expect(online('bitnami/redis:7.2', { status: 'ok' })).toEqual([expect.objectContaining({ rule: 'deprecated-registry', severity: 'warning', message: expect.stringContaining('still resolves today') })]);
  });

  it('offers no mechanical fix for gcr.io', () => {
    expect(findingsFor('gcr.io/acme/api:1')).toEqual([expect.objectContaining({ rule: 'deprecated-registry', fix: null })]);
  });

  it('notes latest and missing tags, but not a pinned digest', () => {
    expect(findingsFor('nginx:latest')).toEqual([expect.objectContaining({ rule: 'latest-tag', severity: 'notice' })]);
    expect(findingsFor('nginx')).toEqual([expect.objectContaining({ rule: 'missing-tag', severity: 'notice' })]);
    expect(findingsFor('nginx@sha256:' + 'c'.repeat(64))).toEqual([]);
    expect(findingsFor('nginx:1.25')).toEqual([]);
  });

  it('applies the user\'s severity overrides, and "off" drops the rule', () => {
    const ctx = { ...offline, severities: { 'latest-tag': 'error' as const, 'deprecated-registry': 'off' as const } };
    expect(findingsFor('nginx:latest', ctx)).toEqual([expect.objectContaining({ rule: 'latest-tag', severity: 'error' })]);
    expect(findingsFor('k8s.gcr.io/pause:3.9', ctx)).toEqual([]);
  });
});

describe('what the registry said', () => {
  it('suggests the closest existing tag, written the way the user wrote the image', () => {
    const found = online('nginx:1.255', { status: 'tag-not-found', suggestions: ['docker.io/library/nginx:1.25', 'docker.io/library/nginx:1.26'] });
    expect(found).toEqual([{ rule: 'tag-not-found', severity: 'error', message: 'docker.io/library/nginx has no tag "1.255". Closest existing: 1.25, 1.26.', fix: 'nginx:1.25' }]);
  });

  it('suggests a close repository name', () => {
    const found = online('127.0.0.1:5000/shop/paymnets:1', { status: 'repository-not-found', suggestions: ['127.0.0.1:5000/shop/payments:1'] });
    expect(found).toEqual([expect.objectContaining({ rule: 'repository-not-found', fix: '127.0.0.1:5000/shop/payments:1' })]);
  });

  it('never words a network failure as "not found", and honours the unreachable switch', () => {
    const [f] = online('ghcr.io/acme/api:1', { status: 'registry-unreachable', evidence: { httpStatus: null, errorCode: null, detail: 'connection refused' } });
    expect(f).toMatchObject({ rule: 'registry-unreachable', severity: 'error' });
    expect(f!.message).toContain('does not mean the image is missing');
    expect(f!.message).not.toMatch(/not found/);
    const [w] = online('ghcr.io/acme/api:1', { status: 'registry-unreachable' }, { severities: { 'registry-unreachable': 'warning' } });
    expect(w!.severity).toBe('warning');
  });

  it('calls a refusal "unverified" when the run had no credentials but the pod names a pull secret', () => {
    const parsed = parseReference('ghcr.io/acme/private:1');
    if (!parsed.ok) throw new Error('parse');
    const pod = { kind: 'Deployment', namespace: null, name: 'api', replicas: 1, imagePullSecrets: ['ghcr-pull'], serviceAccountName: null, nodeSelector: {}, imagePullPolicy: null };
    const ctx = (authenticated: boolean): JudgeContext => ({ ...offline, resolutions: new Map([[parsed.ref.canonical, resolution(parsed.ref.canonical, { status: 'unauthorized', authenticated })]]) });
    const judgedWith = (authenticated: boolean, secrets: string[]) => judge([classify({ ...occurrence('ghcr.io/acme/private:1'), pod: { ...pod, imagePullSecrets: secrets } })], ctx(authenticated)).map((f) => `${f.rule}/${f.severity}`);
    expect(judgedWith(false, ['ghcr-pull'])).toEqual(['unverified/notice']);
    // Without a pull secret the kubelet pulls anonymously and meets the same refusal.
    expect(judgedWith(false, [])).toEqual(['unauthorized/error']);
    // Credentials this run had were rejected: a real problem whatever the pod says.
    expect(judgedWith(true, ['ghcr-pull'])).toEqual(['unauthorized/error']);
  });

  it('reports a platform the index lacks', () => {
    const found = online('acme/tool:2', { status: 'ok', mediaType: 'application/vnd.oci.image.index.v1+json', platforms: ['linux/arm64/v8'] }, { platforms: ['linux/amd64', 'linux/arm64'] });
    expect(found).toEqual([expect.objectContaining({ rule: 'platform-missing', message: expect.stringContaining('has no linux/amd64 image') })]);
  });

  it('reports schema 1 images', () => {
    expect(online('acme/old:1', { mediaType: 'application/vnd.docker.distribution.manifest.v1+prettyjws' })).toEqual([expect.objectContaining({ rule: 'schema1-manifest', severity: 'error' })]);
  });

  it('warns when the tag of a tag@digest moved, and offers the current digest', () => {
    const pinned = 'sha256:' + '1'.repeat(64);
    const now = 'sha256:' + '2'.repeat(64);
    const found = online(`acme/api:1.2@${pinned}`, { tagDigest: now });
    expect(found).toEqual([expect.objectContaining({ rule: 'tag-digest-mismatch', severity: 'warning', fix: `acme/api:1.2@${now}` })]);
  });

  it('is silent about a healthy image', () => {
    expect(online('nginx:1.25', { status: 'ok', platforms: ['linux/amd64', 'linux/arm64/v8'] })).toEqual([]);
  });
});

describe('restyle', () => {
  const ref = (s: string) => { const p = parseReference(s); if (!p.ok) throw new Error(s); return p.ref; };
  it.each([
    ['nginx:1.2', 'docker.io/library/nginx:1.3', 'nginx:1.3'],
    ['docker.io/library/nginx:1.2', 'docker.io/library/nginx:1.3', 'docker.io/library/nginx:1.3'],
    ['acme/api:1', '1.1', 'acme/api:1.1'],
    ['ghcr.io/acme/api:1', 'ghcr.io/acme/apx:1', 'ghcr.io/acme/apx:1'],
  ])('%s with %s → %s', (written, target, expected) => expect(restyle(written, ref(written), target)).toBe(expected));
});
