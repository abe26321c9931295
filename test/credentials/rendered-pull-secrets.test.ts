// The pull-secret checks over what Helm and Kustomize really render (real helm, real `kubectl kustomize`,
// an htpasswd registry that refuses anonymous pulls): the ServiceAccounts and Secrets of a render are read,
// not just known to exist, so a render that lacks a pull secret is reported at the image's source line.
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { environmentKeychain } from '../../src/credentials/index.js';
import { buildOptions } from '../../src/options.js';
import { run } from '../../src/run.js';
import { pushImage } from '../support/push.js';
import { startRegistry, type RunningRegistry } from '../support/registry.js';
import { secretForms } from './secrets.js';
import { base64, sandbox, type Sandbox } from './setup.js';

const PASSWORD = 'htpasswd-Pa55word-for-rendered';
const SECRET_PASSWORD = 'quay-Pa55word-in-rendered-secret';

const pullSecret = (name: string, auths: Record<string, object>): string => [
  'apiVersion: v1', 'kind: Secret', 'metadata:', `  name: ${name}`,
  'type: kubernetes.io/dockerconfigjson', 'data:', `  .dockerconfigjson: ${base64(JSON.stringify({ auths }))}`, '',
].join('\n');

const deployment = (image: string, { account, pullSecrets }: { account?: string; pullSecrets?: string[] }): string => [
  'apiVersion: apps/v1', 'kind: Deployment', 'metadata:', '  name: api', 'spec:',
  '  selector: {matchLabels: {app: api}}', '  template:', '    metadata: {labels: {app: api}}', '    spec:',
  ...(account ? [`      serviceAccountName: ${account}`] : []),
  ...(pullSecrets ? ['      imagePullSecrets:', ...pullSecrets.map((s) => `        - name: ${s}`)] : []),
  '      containers:', '        - name: api', `          image: ${image}`, '',
].join('\n');

describe('pull secrets in rendered Helm charts and Kustomize overlays', () => {
  let registry: RunningRegistry;
  let box: Sandbox;
  let image = '';

  beforeAll(async () => {
    registry = await startRegistry({ auth: 'htpasswd', users: { alice: PASSWORD } });
    await pushImage(registry, 'team/api', '1.0');
    image = `${registry.host}/team/api:1.0`;
    box = sandbox();
    box.write('docker/config.json', { auths: { [registry.host]: { auth: base64(`alice:${PASSWORD}`) } } });
  });

  afterAll(async () => {
    await registry?.stop();
    box?.remove();
  });

  /** Writes a chart whose Deployment runs as the chart's ServiceAccount `builder`; its image comes from values.yaml line 1. */
  function writeChart(root: string, accountPullSecrets: string[]): void {
    box.write(`${root}/web/Chart.yaml`, 'apiVersion: v2\nname: web\nversion: 0.1.0\n');
    box.write(`${root}/web/values.yaml`, `image: ${image}\n`);
    box.write(`${root}/web/templates/deployment.yaml`, deployment('{{ .Values.image }}', { account: 'builder' }));
    box.write(`${root}/web/templates/serviceaccount.yaml`, [
      'apiVersion: v1', 'kind: ServiceAccount', 'metadata:', '  name: builder',
      ...(accountPullSecrets.length ? ['imagePullSecrets:', ...accountPullSecrets.map((s) => `  - name: ${s}`)] : []), '',
    ].join('\n'));
    box.write(`${root}/web/templates/secret.yaml`, pullSecret('regcred', { [registry.host]: { auth: base64(`alice:${PASSWORD}`) } }));
  }

  async function scan(root: string) {
    const options = buildOptions({ root: path.join(box.dir, root), timeout: '30s' });
    const report = await run(options, { keychain: environmentKeychain(box.env({ DOCKER_CONFIG: path.join(box.dir, 'docker') })) });
    const printed = JSON.stringify(report);
    for (const secret of [...secretForms('alice', PASSWORD), ...secretForms('quay-user', SECRET_PASSWORD)]) expect(printed).not.toContain(secret);
    return report.findings.filter((f) => f.rule === 'missing-pull-secret' || f.rule === 'pull-secret-mismatch')
      .map(({ rule, file, line, message }) => ({ rule, file, line, message }));
  }

  it('accepts the pull secret a rendered ServiceAccount lists, and reports one that lists none at the values line', async () => {
    writeChart('chart-with', ['regcred']);
    writeChart('chart-without', []);
    expect(await scan('chart-with')).toEqual([]);
    expect(await scan('chart-without')).toEqual([{
      rule: 'missing-pull-secret', file: 'web/values.yaml', line: 1,
      message: `The cluster needs a pull secret for ${registry.host}/team/api (anonymous pulls are refused); the pod declares none, and neither does its ServiceAccount builder (web/templates/serviceaccount.yaml:1).`,
    }]);
  });

  it('reports a rendered dockerconfigjson Secret that holds another registry', async () => {
    box.write('overlay/base/kustomization.yaml', 'resources:\n  - deployment.yaml\n');
    box.write('overlay/base/deployment.yaml', deployment(image, { pullSecrets: ['regcred'] }));
    box.write('overlay/prod/kustomization.yaml', 'namespace: shop\nresources:\n  - ../base\n  - secret.yaml\n');
    box.write('overlay/prod/secret.yaml', pullSecret('regcred', { 'quay.io': { auth: base64(`quay-user:${SECRET_PASSWORD}`) } }));
    const imageLine = deployment(image, { pullSecrets: ['regcred'] }).split('\n').findIndex((l) => l.includes('image:')) + 1;
    expect(await scan('overlay')).toEqual([{
      rule: 'pull-secret-mismatch', file: 'base/deployment.yaml', line: imageLine,
      message: `No pull secret of the pod has credentials for ${registry.host}/team/api, which anonymous pulls are refused for: regcred holds quay.io.`,
    }]);
  });
});
