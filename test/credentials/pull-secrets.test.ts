import { describe, expect, it } from 'vitest';
import { keyCovers, pullSecretKeychain, readClusterObjects, type ClusterObjects } from '../../src/credentials/pull-secrets.js';
import { unverifiedWithoutCredentials } from '../../src/credentials/unverified.js';
import { judgePullSecrets, type PullSecretSubject } from '../../src/judge/pull-secrets.js';
import type { ImageOccurrence, PodFacts, Resolution } from '../../src/model.js';
import { parseReference } from '../../src/reference/index.js';
import { base64 } from './setup.js';

const dockerConfigJson = (auths: Record<string, object>): string => base64(JSON.stringify({ auths }));

const SECRETS_YAML = `# pull secrets of the shop
apiVersion: v1
kind: Secret
metadata:
  name: ghcr-pull
  namespace: shop
type: kubernetes.io/dockerconfigjson
data:
  .dockerconfigjson: ${dockerConfigJson({ 'ghcr.io': { auth: base64('robot:ghcr-secret-value') } })}
---
apiVersion: v1
kind: Secret
metadata:
  name: quay-pull
  namespace: shop
type: kubernetes.io/dockerconfigjson
stringData:
  .dockerconfigjson: '{"auths": {"https://quay.io/v1/": {"username": "q", "password": "quay-secret-value"}}}'
---
apiVersion: v1
kind: Secret
metadata:
  name: opaque-pull
  namespace: shop
data:
  .dockerconfigjson: ${dockerConfigJson({ 'ghcr.io': { auth: base64('robot:x') } })}
---
apiVersion: v1
kind: Secret
metadata:
  name: sops-pull
  namespace: shop
type: kubernetes.io/dockerconfigjson
data:
  .dockerconfigjson: ENC[AES256_GCM,data:abc,iv:def,tag:ghi,type:str]
`;

const ACCOUNTS_YAML = `apiVersion: v1
kind: List
items:
  - apiVersion: v1
    kind: ServiceAccount
    metadata: {name: builder, namespace: shop}
    imagePullSecrets: [{name: ghcr-pull}]
  - apiVersion: v1
    kind: ServiceAccount
    metadata: {name: bare, namespace: shop}
`;

const cluster = readClusterObjects([
  { file: 'deploy/secrets.yaml', text: SECRETS_YAML },
  { file: 'deploy/accounts.yaml', text: ACCOUNTS_YAML },
  { file: 'deploy/app.yaml', text: 'kind: Deployment\nmetadata: {name: app}\n' },
]);

describe('readClusterObjects', () => {
  it('finds ServiceAccounts (in Lists too) and Secrets with the registries they cover', () => {
    expect(cluster.serviceAccounts.map(({ name, namespace, imagePullSecrets, file }) => ({ name, namespace, imagePullSecrets, file }))).toEqual([
      { name: 'builder', namespace: 'shop', imagePullSecrets: ['ghcr-pull'], file: 'deploy/accounts.yaml' },
      { name: 'bare', namespace: 'shop', imagePullSecrets: [], file: 'deploy/accounts.yaml' },
    ]);
    expect(cluster.secrets.map(({ name, type, line, entries }) => ({ name, type, line, keys: entries?.map((e) => e.key) ?? null }))).toEqual([
      { name: 'ghcr-pull', type: 'kubernetes.io/dockerconfigjson', line: 2, keys: ['ghcr.io'] },
      { name: 'quay-pull', type: 'kubernetes.io/dockerconfigjson', line: 11, keys: ['https://quay.io/v1/'] },
      { name: 'opaque-pull', type: null, line: 20, keys: null },
      { name: 'sops-pull', type: 'kubernetes.io/dockerconfigjson', line: 28, keys: null },
    ]);
  });

  it('skips documents that do not parse (the extract stage reports them)', () => {
    expect(readClusterObjects([{ file: 'bad.yaml', text: 'kind: Secret\nmetadata: {name: [\n' }])).toEqual({ serviceAccounts: [], secrets: [] });
  });
});

describe('keyCovers: the kubelet\'s matching of pull-secret keys', () => {
  const cases: [string, string, boolean][] = [
    ['ghcr.io', 'ghcr.io/acme/api', true],
    ['https://ghcr.io', 'ghcr.io/acme/api', true],
    ['https://ghcr.io/v2/', 'ghcr.io/acme/api', true],
    ['ghcr.io/acme', 'ghcr.io/acme/api', true],
    ['ghcr.io/other', 'ghcr.io/acme/api', false],
    ['*.ghcr.io', 'ghcr.io/acme/api', false],
    ['*.example.com', 'registry.example.com/team/app', true],
    ['*.example.com', 'a.b.example.com/team/app', false],
    ['registry.example.com', 'registry.example.com:5000/team/app', false],
    ['registry.example.com:5000', 'registry.example.com:5000/team/app', true],
    ['example.com', 'registry.example.com/team/app', false],
    ['https://index.docker.io/v1/', 'docker.io/library/nginx', true],
    ['index.docker.io', 'docker.io/acme/private', true],
    ['docker.io', 'docker.io/acme/private', true],
    ['registry-1.docker.io', 'docker.io/acme/private', false],
    ['quay.io', 'docker.io/acme/private', false],
  ];
  it.each(cases)('%s covers %s: %s', (key, image, expected) => {
    const slash = image.indexOf('/');
    expect(keyCovers(key, image.slice(0, slash), image.slice(slash + 1))).toBe(expected);
  });
});

describe('pullSecretKeychain (use-pull-secrets: true)', () => {
  it('offers a Secret\'s credentials to exactly the host it names', async () => {
    const keychain = pullSecretKeychain(cluster);
    expect(await keychain.resolve('ghcr.io')).toEqual({ kind: 'basic', username: 'robot', password: 'ghcr-secret-value', source: 'pull secret shop/ghcr-pull (deploy/secrets.yaml)' });
    expect(await keychain.resolve('quay.io')).toMatchObject({ username: 'q', password: 'quay-secret-value' });
    expect(await keychain.resolve('docker.io')).toBeNull();
    expect(await keychain.resolve('pkg.ghcr.io')).toBeNull();
  });
});

function pod(patch: Partial<PodFacts> = {}): PodFacts {
  return { kind: 'Deployment', namespace: 'shop', name: 'api', replicas: 1, imagePullSecrets: [], serviceAccountName: null, nodeSelector: {}, imagePullPolicy: null, ...patch };
}

function subject(written: string, podFacts: PodFacts | null, line = 21): PullSecretSubject {
  const parsed = parseReference(written);
  if (!parsed.ok) throw new Error(written);
  const occurrence: ImageOccurrence = {
    written,
    range: { file: 'deploy/api.yaml', line, column: 18, endLine: line, endColumn: 18 + written.length },
    workload: 'Deployment/shop/api', container: 'api', path: 'spec.template.spec.containers[0].image', origin: 'manifest', pod: podFacts,
  };
  return { occurrence, ref: parsed.ref };
}

function judgeOne(s: PullSecretSubject, objects: ClusterObjects = cluster, severities = {}) {
  return judgePullSecrets([s], { needCredentials: new Set([s.ref.canonical]), cluster: objects, severities })
    .map((f) => ({ rule: f.rule, severity: f.severity, line: f.range?.line, message: f.message }));
}

describe('judgePullSecrets', () => {
  it('warns at the image line when the pod and its ServiceAccount declare no pull secret', () => {
    expect(judgeOne(subject('ghcr.io/acme/api:1.0', pod()))).toEqual([{
      rule: 'missing-pull-secret', severity: 'warning', line: 21,
      message: 'The cluster needs a pull secret for ghcr.io/acme/api (anonymous pulls are refused); the pod declares none.',
    }]);
    expect(judgeOne(subject('ghcr.io/acme/api:1.0', pod({ serviceAccountName: 'bare' })))[0]?.message).toContain('and neither does its ServiceAccount bare (deploy/accounts.yaml:');
    expect(judgeOne(subject('ghcr.io/acme/api:1.0', pod({ serviceAccountName: 'elsewhere' })))[0]?.message).toContain('its ServiceAccount elsewhere is not in the scanned manifests');
  });

  it('says nothing for an image anonymous pulls work for, or outside a pod', () => {
    const s = subject('ghcr.io/acme/api:1.0', pod());
    expect(judgePullSecrets([s], { needCredentials: new Set(), cluster, severities: {} })).toEqual([]);
    expect(judgeOne(subject('ghcr.io/acme/api:1.0', null))).toEqual([]);
  });

  it('accepts a pull secret from the pod or from its ServiceAccount that covers the registry', () => {
    expect(judgeOne(subject('ghcr.io/acme/api:1.0', pod({ imagePullSecrets: ['ghcr-pull'] })))).toEqual([]);
    expect(judgeOne(subject('ghcr.io/acme/api:1.0', pod({ serviceAccountName: 'builder' })))).toEqual([]);
    expect(judgeOne(subject('quay.io/acme/api:1.0', pod({ imagePullSecrets: ['ghcr-pull', 'quay-pull'] })))).toEqual([]);
  });

  it('reports a pull secret that has no entry for the registry, naming the hosts it has (never its content)', () => {
    const [finding] = judgeOne(subject('quay.io/acme/api:1.0', pod({ imagePullSecrets: ['ghcr-pull'] })));
    expect(finding).toEqual({
      rule: 'pull-secret-mismatch', severity: 'warning', line: 21,
      message: 'No pull secret of the pod has credentials for quay.io/acme/api, which anonymous pulls are refused for: ghcr-pull holds ghcr.io.',
    });
    expect(finding!.message).not.toMatch(/robot|secret-value/);
  });

  it('reports a Secret of a type the kubelet does not read for pulls', () => {
    expect(judgeOne(subject('ghcr.io/acme/api:1.0', pod({ imagePullSecrets: ['opaque-pull'] })))[0]?.message)
      .toContain('opaque-pull is of type Opaque, which the kubelet does not read for pulls (it needs kubernetes.io/dockerconfigjson)');
  });

  it('says nothing when a named Secret is not in the manifests or cannot be read', () => {
    expect(judgeOne(subject('quay.io/acme/api:1.0', pod({ imagePullSecrets: ['ghcr-pull', 'made-by-vault'] })))).toEqual([]);
    expect(judgeOne(subject('quay.io/acme/api:1.0', pod({ imagePullSecrets: ['sops-pull'] })))).toEqual([]);
  });

  it('matches namespaces, treating an unset one as any', () => {
    expect(judgeOne(subject('ghcr.io/acme/api:1.0', pod({ namespace: 'other', imagePullSecrets: ['ghcr-pull'] })))).toEqual([]);
    expect(judgeOne(subject('ghcr.io/acme/api:1.0', pod({ namespace: null, imagePullSecrets: ['ghcr-pull'] })))).toEqual([]);
    const otherNamespace = readClusterObjects([{ file: 's.yaml', text: SECRETS_YAML.replaceAll('namespace: shop', 'namespace: billing') }]);
    expect(judgeOne(subject('quay.io/acme/api:1.0', pod({ imagePullSecrets: ['ghcr-pull'] })), otherNamespace)).toEqual([]);
  });

  it('says nothing about a ServiceAccount or Secret known only from a render, whose content was not read', () => {
    const rendered = (kind: string, name: string) => ({ file: 'overlays/prod', line: 1, kind, apiVersion: 'v1', name, namespace: 'shop', images: 0 });
    const withRendered = readClusterObjects([{ file: 'deploy/secrets.yaml', text: SECRETS_YAML }], [rendered('ServiceAccount', 'prod-builder'), rendered('Secret', 'prod-regcred')]);
    expect(judgeOne(subject('ghcr.io/acme/api:1.0', pod({ serviceAccountName: 'prod-builder' })), withRendered)).toEqual([]);
    expect(judgeOne(subject('quay.io/acme/api:1.0', pod({ imagePullSecrets: ['prod-regcred'] })), withRendered)).toEqual([]);
    expect(judgeOne(subject('ghcr.io/acme/api:1.0', pod({ serviceAccountName: 'prod-other' })), withRendered)[0]?.rule).toBe('missing-pull-secret');
  });

  it('reads a render\'s ServiceAccounts and Secrets, placing each where the render stage traced it', () => {
    const traced = (kind: string, name: string, line: number) => ({ file: 'base/accounts.yaml', line, kind, apiVersion: 'v1', name, namespace: 'shop', images: 0 });
    const fromRender = readClusterObjects(
      [{ file: 'overlays/prod/kustomization.yaml', text: `${ACCOUNTS_YAML}---\n${SECRETS_YAML}`, rendered: true }],
      [traced('ServiceAccount', 'bare', 7), traced('Secret', 'ghcr-pull', 12)],
    );
    expect(fromRender.serviceAccounts.find((sa) => sa.name === 'bare')).toMatchObject({ imagePullSecrets: [], file: 'base/accounts.yaml', line: 7 });
    expect(fromRender.secrets.find((s) => s.name === 'ghcr-pull')).toMatchObject({ read: true, file: 'base/accounts.yaml', line: 12 });
    expect(judgeOne(subject('ghcr.io/acme/api:1.0', pod({ serviceAccountName: 'bare' })), fromRender)[0]?.message).toContain('its ServiceAccount bare (base/accounts.yaml:7)');
    expect(judgeOne(subject('quay.io/acme/api:1.0', pod({ imagePullSecrets: ['ghcr-pull'] })), fromRender)[0]?.rule).toBe('pull-secret-mismatch');
  });

  it('follows the user\'s severity overrides', () => {
    expect(judgeOne(subject('ghcr.io/acme/api:1.0', pod()), cluster, { 'missing-pull-secret': 'off' })).toEqual([]);
    expect(judgeOne(subject('ghcr.io/acme/api:1.0', pod()), cluster, { 'missing-pull-secret': 'error' })[0]?.severity).toBe('error');
  });
});

describe('unverifiedWithoutCredentials', () => {
  const resolution = (reference: string, patch: Partial<Resolution>): Resolution => ({
    reference, status: 'ok', digest: null, mediaType: null, platforms: null, checkedAt: null,
    evidence: { httpStatus: 401, errorCode: 'UNAUTHORIZED', detail: 'refused' }, durationMs: 1, suggestions: [], tagDigest: null,
    quota: null, retryAfterSeconds: null, authenticated: false, credentialSource: null, ...patch,
  });
  const resolutions = new Map([
    ['ghcr.io/acme/private:1', resolution('ghcr.io/acme/private:1', { status: 'unauthorized' })],
    ['ghcr.io/acme/denied:1', resolution('ghcr.io/acme/denied:1', { status: 'access-denied', authenticated: true })],
    ['quay.io/acme/private:1', resolution('quay.io/acme/private:1', { status: 'unauthorized' })],
    ['quay.io/acme/missing:1', resolution('quay.io/acme/missing:1', { status: 'tag-not-found', evidence: { httpStatus: 404, errorCode: 'MANIFEST_UNKNOWN', detail: null } })],
  ]);

  it('turns every refusal into unverified in a run without secrets (fork pull request), and nothing else', () => {
    const result = unverifiedWithoutCredentials(resolutions, { noSecrets: true, problems: [] });
    expect([...result.values()].map((r) => r.status)).toEqual(['unverified', 'unverified', 'unverified', 'tag-not-found']);
    expect(result.get('ghcr.io/acme/private:1')?.evidence.detail).toMatch(/no registry secrets \(a pull request from a fork\)/);
  });

  it('turns anonymous refusals into unverified on a host whose credential helper failed', () => {
    const result = unverifiedWithoutCredentials(resolutions, {
      noSecrets: false,
      problems: [{ rule: 'credential-helper-failed', host: 'ghcr.io', message: 'helper failed' }],
    });
    expect([...result.values()].map((r) => r.status)).toEqual(['unverified', 'access-denied', 'unauthorized', 'tag-not-found']);
  });

  it('changes nothing when the run has its credentials', () => {
    const result = unverifiedWithoutCredentials(resolutions, { noSecrets: false, problems: [] });
    expect([...result.values()]).toEqual([...resolutions.values()]);
  });
});
