// The whole CLI with real secrets against real registries: what the cluster would lack is reported at the
// image's line, and no secret appears in any output (text, JSON, SARIF, stderr) in any failure mode.
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import path from 'node:path';
import { Writable } from 'node:stream';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { main } from '../../src/cli.js';
import { environmentKeychain } from '../../src/credentials/index.js';
import { buildOptions } from '../../src/options.js';
import { run } from '../../src/run.js';
import { pushImage } from '../support/push.js';
import { startRegistry, type RunningRegistry } from '../support/registry.js';
import { secretForms } from './secrets.js';
import { base64, sandbox, type Sandbox } from './setup.js';

const BASIC_PASSWORD = 'htpasswd-Pa55word-for-alice';
const TOKEN_PASSWORD = 'token-Pa55word-for-alice';
const WRONG_PASSWORD = 'wrong-Pa55word-typed-by-bob';
const HELPER_SECRET = 'helper-Secret-from-the-keychain';

interface Output { code: number; stdout: string; stderr: string }

class Capture extends Writable {
  text = '';
  override _write(chunk: Buffer, _encoding: string, done: () => void): void {
    this.text += chunk.toString('utf8');
    done();
  }
}

describe('pullcheck CLI with credentials', () => {
  let basicRegistry: RunningRegistry;
  let tokenRegistry: RunningRegistry;
  let echoRealm: http.Server;
  let echoRegistry: http.Server;
  let echoHost = '';
  let box: Sandbox;
  let lines: Record<string, number>;

  beforeAll(async () => {
    basicRegistry = await startRegistry({ auth: 'htpasswd', users: { alice: BASIC_PASSWORD } });
    tokenRegistry = await startRegistry({ auth: 'token', users: { alice: TOKEN_PASSWORD }, grants: { alice: { pull: ['team/*'] } } });
    await pushImage(basicRegistry, 'team/api', '1.0');
    await pushImage(tokenRegistry, 'team/app', '1.0');
    await pushImage(tokenRegistry, 'private/db', '1.0');
    // A registry whose token service fails with a 500 that echoes the credentials it was sent.
    echoRealm = await listen((req, res) => {
      const sent = req.headers.authorization ?? '';
      res.writeHead(500, { 'content-type': 'application/json' })
        .end(JSON.stringify({ errors: [{ code: 'UNKNOWN', message: `broken for ${sent} ${Buffer.from(sent.slice(6), 'base64').toString()}` }] }));
    });
    echoRegistry = await listen((_req, res) => {
      res.writeHead(401, { 'www-authenticate': `Bearer realm="http://127.0.0.1:${port(echoRealm)}/token",service="echo"` }).end();
    });
    echoHost = `127.0.0.1:${port(echoRegistry)}`;

    box = sandbox();
    const files = {
      'deploy/api.yaml': deployment('api', `${basicRegistry.host}/team/api:1.0`, {}),
      'deploy/app.yaml': deployment('app', `${tokenRegistry.host}/team/app:1.0`, { imagePullSecrets: ['regcred'] }),
      'deploy/db.yaml': deployment('db', `${tokenRegistry.host}/private/db:1.0`, { imagePullSecrets: ['regcred'] }),
      'deploy/echo.yaml': deployment('echo', `${echoHost}/team/echo:1.0`, {}),
      'deploy/secrets.yaml': [
        'apiVersion: v1', 'kind: Secret', 'metadata:', '  name: regcred', '  namespace: shop',
        'type: kubernetes.io/dockerconfigjson', 'data:',
        `  .dockerconfigjson: ${base64(JSON.stringify({ auths: { 'quay.io': { auth: base64('quay-user:quay-Pa55word-in-secret') } } }))}`, '',
      ].join('\n'),
    };
    lines = {};
    for (const [file, text] of Object.entries(files)) {
      box.write(`repo/${file}`, text);
      const line = text.split('\n').findIndex((l) => l.includes('image:'));
      if (line >= 0) lines[file] = line + 1;
    }
  });

  afterAll(async () => {
    await basicRegistry?.stop();
    await tokenRegistry?.stop();
    for (const server of [echoRealm, echoRegistry]) {
      server?.closeAllConnections();
      await new Promise<void>((resolve) => (server ? server.close(() => resolve()) : resolve()));
    }
    box?.remove();
  });

  function dockerConfig(name: string, content: object): string {
    box.write(`${name}/config.json`, content);
    return path.join(box.dir, name);
  }

  async function cli(args: string[], env: NodeJS.ProcessEnv): Promise<Output> {
    const stdout = new Capture();
    const stderr = new Capture();
    const code = await main(['--timeout', '30s', ...args], { stdout, stderr, cwd: path.join(box.dir, 'repo'), env: { ...env, PULLCHECK_DEBUG: '1' } });
    return { code, stdout: stdout.text, stderr: stderr.text };
  }

  /** Runs every output format and checks that none holds any form of any secret. */
  async function everyFormat(args: string[], env: NodeJS.ProcessEnv): Promise<Record<string, Output>> {
    const outputs: Record<string, Output> = {};
    for (const format of ['text', 'json', 'sarif']) outputs[format] = await cli(['--format', format, ...args], env);
    const secrets = [
      ...secretForms('alice', BASIC_PASSWORD), ...secretForms('alice', TOKEN_PASSWORD), ...secretForms('bob', WRONG_PASSWORD),
      ...secretForms('alice', WRONG_PASSWORD), ...secretForms('alice', HELPER_SECRET), ...secretForms('quay-user', 'quay-Pa55word-in-secret'),
    ];
    for (const [format, output] of Object.entries(outputs)) {
      for (const secret of secrets) {
        expect(output.stdout, `${format} stdout holds ${secret}`).not.toContain(secret);
        expect(output.stderr, `${format} stderr holds ${secret}`).not.toContain(secret);
      }
    }
    return outputs;
  }

  const findingsOf = (output: Output): { rule: string; file: string | null; line: number | null; message: string }[] =>
    (JSON.parse(output.stdout) as { findings: { rule: string; file: string | null; line: number | null; message: string }[] }).findings
      .map(({ rule, file, line, message }) => ({ rule, file, line, message }));

  it('with the right credentials: reports what the cluster lacks at the image line, and the denied repository', async () => {
    const auths = {
      [basicRegistry.host]: { auth: base64(`alice:${BASIC_PASSWORD}`) },
      [tokenRegistry.host]: { auth: base64(`alice:${TOKEN_PASSWORD}`) },
      [echoHost]: { auth: base64(`alice:${TOKEN_PASSWORD}`) },
    };
    const env = box.env({ DOCKER_CONFIG: dockerConfig('good', { auths }) });
    const { json } = await everyFormat([], env);
    const findings = findingsOf(json!);
    expect(findings).toContainEqual({
      rule: 'missing-pull-secret', file: 'deploy/api.yaml', line: lines['deploy/api.yaml']!,
      message: `The cluster needs a pull secret for ${basicRegistry.host}/team/api (anonymous pulls are refused); the pod declares none.`,
    });
    expect(findings).toContainEqual({
      rule: 'pull-secret-mismatch', file: 'deploy/app.yaml', line: lines['deploy/app.yaml']!,
      message: `No pull secret of the pod has credentials for ${tokenRegistry.host}/team/app, which anonymous pulls are refused for: regcred holds quay.io.`,
    });
    expect(findings).toContainEqual(expect.objectContaining({ rule: 'access-denied', file: 'deploy/db.yaml', line: lines['deploy/db.yaml']! }));
    expect(findings).toContainEqual(expect.objectContaining({ rule: 'registry-error', file: 'deploy/echo.yaml' }));
    expect(json!.code).toBe(1);
  });

  it('with a wrong password in the config file', async () => {
    box.write('repo/.pullcheck.yml', `registries:\n  ${basicRegistry.host}:\n    username: alice\n    password: ${WRONG_PASSWORD}\n`);
    try {
      const { json } = await everyFormat([], box.env({ DOCKER_CONFIG: path.join(box.dir, 'none') }));
      expect(findingsOf(json!)).toContainEqual(expect.objectContaining({ rule: 'unauthorized', file: 'deploy/api.yaml', message: expect.stringContaining('rejected the credentials from pullcheck config') }));
    } finally {
      box.write('repo/.pullcheck.yml', '');
    }
  });

  it('with a credential helper that fails, and one that works', async () => {
    box.helper('broken', 'echo "keychain is locked" >&2; exit 1');
    box.helper('works', `echo '{"Username":"alice","Secret":"${HELPER_SECRET}"}'`);
    const env = box.env({ DOCKER_CONFIG: dockerConfig('helpers', { credHelpers: { [basicRegistry.host]: 'broken', [echoHost]: 'works' } }) });
    const { json } = await everyFormat([], env);
    const findings = findingsOf(json!);
    expect(findings).toContainEqual(expect.objectContaining({
      rule: 'credential-helper-failed', file: null,
      message: expect.stringContaining(`docker-credential-broken (named in Docker config ${path.join(box.dir, 'helpers', 'config.json')}) failed for ${basicRegistry.host}: docker-credential-broken get exited with code 1: keychain is locked`),
    }));
    expect(findings).toContainEqual(expect.objectContaining({ rule: 'unverified', file: 'deploy/api.yaml', message: expect.stringContaining('credential helper') }));
    expect(findings.filter((f) => f.file === 'deploy/api.yaml').map((f) => f.rule)).not.toContain('unauthorized');
  });

  it('with a config.json that is not JSON', async () => {
    const dir = path.join(box.dir, 'broken-json');
    box.write('broken-json/config.json', `{"auths": {"${basicRegistry.host}": {"auth": "${base64(`alice:${BASIC_PASSWORD}`)}"}}, ${BASIC_PASSWORD}}`);
    const { json } = await everyFormat([], box.env({ DOCKER_CONFIG: dir }));
    expect(findingsOf(json!).filter((f) => f.rule === 'credential-file-invalid')).toEqual([
      expect.objectContaining({ file: null, message: expect.stringMatching(/config\.json is not valid JSON \(line 1 column \d+\); its credentials were not used/) }),
    ]);
  });

  it('in a pull request from a fork (no secrets): private images are unverified, never refused or missing', async () => {
    const options = buildOptions({ root: path.join(box.dir, 'repo'), noSecrets: true, timeout: '30s' });
    const report = await run(options, { keychain: environmentKeychain(box.env({ DOCKER_CONFIG: path.join(box.dir, 'none') })) });
    const byFile = (file: string): string[] => report.findings.filter((f) => f.file === file).map((f) => `${f.rule}/${f.severity}`);
    expect(byFile('deploy/api.yaml')).toEqual(['unverified/notice']);
    expect(byFile('deploy/app.yaml')).toEqual(['unverified/notice']);
    expect(byFile('deploy/db.yaml')).toEqual(['unverified/notice']);
    expect(report.findings.find((f) => f.file === 'deploy/api.yaml')?.message).toContain('a pull request from a fork');
    const refusedOrMissing = ['unauthorized', 'access-denied', 'repository-not-found', 'tag-not-found', 'missing-pull-secret', 'pull-secret-mismatch'];
    expect(report.findings.filter((f) => refusedOrMissing.includes(f.rule))).toEqual([]);
  });
});

function deployment(name: string, image: string, { imagePullSecrets = [] }: { imagePullSecrets?: string[] }): string {
  return [
    'apiVersion: apps/v1',
    'kind: Deployment',
    'metadata:',
    `  name: ${name}`,
    '  namespace: shop',
    'spec:',
    '  selector: {matchLabels: {app: x}}',
    '  template:',
    '    metadata: {labels: {app: x}}',
    '    spec:',
    ...(imagePullSecrets.length ? ['      imagePullSecrets:', ...imagePullSecrets.map((s) => `        - name: ${s}`)] : []),
    '      containers:',
    `        - name: ${name}`,
    `          image: ${image}`,
    '',
  ].join('\n');
}

async function listen(handle: http.RequestListener): Promise<http.Server> {
  const server = http.createServer((req, res) => {
    req.resume();
    handle(req, res);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return server;
}

function port(server: http.Server): number {
  return (server.address() as AddressInfo).port;
}
