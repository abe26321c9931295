import { execFileSync } from 'node:child_process';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { configKeychain, environmentKeychain, parseRegistryAuth, problemFindings, secretsOf } from '../../src/credentials/index.js';
import { dockerKeychain } from '../../src/credentials/docker-config.js';
import { chain } from '../../src/credentials/keychain.js';
import { podmanKeychain } from '../../src/credentials/podman.js';
import { githubTokenKeychain } from '../../src/credentials/github-token.js';
import { ConfigError, type RegistrySettings } from '../../src/options.js';
import { base64, sandbox, type Sandbox } from './setup.js';

let box: Sandbox;
beforeEach(() => {
  box = sandbox();
});
afterEach(() => box.remove());

/** A Docker config.json in the sandbox, and the env that points DOCKER_CONFIG at it. */
function dockerConfig(content: string | object): NodeJS.ProcessEnv {
  box.write('docker/config.json', content);
  return box.env({ DOCKER_CONFIG: path.join(box.dir, 'docker') });
}

describe('Docker config.json', () => {
  it('reads auth (base64 user:pass), username/password, identitytoken and registrytoken', async () => {
    const keychain = dockerKeychain(dockerConfig({
      auths: {
        'registry.example.com': { auth: base64('alice:pa:ss') },
        'plain.example.com': { username: 'bob', password: 'bob-password' },
        'acr.example.com': { auth: base64('00000000-0000-0000-0000-000000000000:'), identitytoken: 'refresh-me' },
        'tok.example.com': { registrytoken: 'bearer-me' },
      },
    }));
    const source = `Docker config ${path.join(box.dir, 'docker', 'config.json')}`;
    expect(await keychain.resolve('registry.example.com')).toEqual({ kind: 'basic', username: 'alice', password: 'pa:ss', source });
    expect(await keychain.resolve('plain.example.com')).toEqual({ kind: 'basic', username: 'bob', password: 'bob-password', source });
    expect(await keychain.resolve('acr.example.com')).toEqual({ kind: 'identity', token: 'refresh-me', username: '00000000-0000-0000-0000-000000000000', source });
    expect(await keychain.resolve('tok.example.com')).toEqual({ kind: 'token', token: 'bearer-me', source });
    expect(keychain.problems?.()).toEqual([]);
  });

  it('defaults to ~/.docker/config.json without DOCKER_CONFIG', async () => {
    box.write('home/.docker/config.json', { auths: { 'ghcr.io': { auth: base64('u:p') } } });
    expect(await dockerKeychain(box.env()).resolve('ghcr.io')).toMatchObject({ kind: 'basic', username: 'u', password: 'p' });
  });

  it('treats every Docker Hub spelling as one registry', async () => {
    for (const key of ['https://index.docker.io/v1/', 'index.docker.io', 'registry-1.docker.io', 'docker.io']) {
      const keychain = dockerKeychain(dockerConfig({ auths: { [key]: { auth: base64('hub:secret') } } }));
      expect(await keychain.resolve('docker.io'), key).toMatchObject({ username: 'hub', password: 'secret' });
    }
  });

  it('matches host[:port] exactly: no suffix, no parent domain, the port counts; scheme and path are ignored', async () => {
    const keychain = dockerKeychain(dockerConfig({
      auths: {
        'example.com': { auth: base64('parent:x') },
        'https://registry.internal:5000/v2/': { auth: base64('withport:x') },
      },
    }));
    expect(await keychain.resolve('registry.example.com')).toBeNull();
    expect(await keychain.resolve('example.com.evil.test')).toBeNull();
    expect(await keychain.resolve('registry.internal')).toBeNull();
    expect(await keychain.resolve('registry.internal:5001')).toBeNull();
    expect(await keychain.resolve('registry.internal:5000')).toMatchObject({ username: 'withport' });
  });

  it('is silent when there is no config file, or it is empty', async () => {
    const missing = dockerKeychain(box.env({ DOCKER_CONFIG: path.join(box.dir, 'nowhere') }));
    expect(await missing.resolve('ghcr.io')).toBeNull();
    expect(missing.problems?.()).toEqual([]);
    const empty = dockerKeychain(dockerConfig(''));
    expect(await empty.resolve('ghcr.io')).toBeNull();
    expect(empty.problems?.()).toEqual([]);
  });

  it('reports a malformed config.json once, by position, without quoting it', async () => {
    const keychain = dockerKeychain(dockerConfig('{"auths": {"ghcr.io": {"auth": "c2VjcmV0LXVzZXI6aHVudGVyMg=="}},\n  hunter2-is-the-password\n}'));
    expect(await keychain.resolve('ghcr.io')).toBeNull();
    expect(await keychain.resolve('docker.io')).toBeNull();
    const problems = keychain.problems?.() ?? [];
    expect(problems).toHaveLength(1);
    expect(problems[0]).toMatchObject({ rule: 'credential-file-invalid', host: null });
    expect(problems[0]!.message).toMatch(/config\.json is not valid JSON \(line 2 column 3\); its credentials were not used/);
    expect(problems[0]!.message).not.toMatch(/hunter2|c2VjcmV0/);
  });

  it('reports an auths that is not an object, and an auth value that is not base64 of user:password', async () => {
    const notObject = dockerKeychain(dockerConfig({ auths: ['ghcr.io'] }));
    await notObject.resolve('ghcr.io');
    expect(notObject.problems?.()[0]?.message).toMatch(/has an "auths" that is not an object/);

    const badAuth = dockerKeychain(dockerConfig({ auths: { 'ghcr.io': { auth: base64('no-colon-here') } } }));
    expect(await badAuth.resolve('ghcr.io')).toBeNull();
    expect(badAuth.problems?.()).toEqual([expect.objectContaining({ rule: 'credential-file-invalid', host: 'ghcr.io' })]);
    expect(badAuth.problems?.()[0]?.message).not.toContain('no-colon-here');
  });
});

describe('credential helpers (credHelpers, credsStore)', () => {
  it('asks the host\'s credHelpers entry with the server URL on stdin, and uses its answer', async () => {
    box.helper('acme', `[ "$url" = "registry.acme.test" ] && echo '{"ServerURL":"registry.acme.test","Username":"robot","Secret":"helper-secret"}' && exit 0\necho "credentials not found in native keychain"; exit 1`);
    const keychain = dockerKeychain(dockerConfig({ credHelpers: { 'registry.acme.test': 'acme' } }));
    expect(await keychain.resolve('registry.acme.test')).toMatchObject({ kind: 'basic', username: 'robot', password: 'helper-secret', source: expect.stringContaining('docker-credential-acme') });
    expect(await keychain.resolve('other.test')).toBeNull();
    expect(box.calls()).toEqual(['acme registry.acme.test']);
  });

  it('asks Docker Hub as https://index.docker.io/v1/, and reads Username <token> as an identity token', async () => {
    box.helper('store', `[ "$url" = "https://index.docker.io/v1/" ] && echo '{"Username":"<token>","Secret":"hub-refresh"}' && exit 0\necho "credentials not found in native keychain"; exit 1`);
    const keychain = dockerKeychain(dockerConfig({ credsStore: 'store' }));
    expect(await keychain.resolve('docker.io')).toMatchObject({ kind: 'identity', token: 'hub-refresh', username: null });
    expect(box.calls()).toEqual(['store https://index.docker.io/v1/']);
  });

  it('tries https://host after the plain host, and falls back to auths when the store has nothing', async () => {
    box.helper('store', `[ "$url" = "https://old.test" ] && echo '{"Username":"old","Secret":"s"}' && exit 0\necho "credentials not found in native keychain"; exit 1`);
    const keychain = dockerKeychain(dockerConfig({ credsStore: 'store', auths: { 'inline.test': { auth: base64('inline:p') } } }));
    expect(await keychain.resolve('old.test')).toMatchObject({ username: 'old' });
    expect(await keychain.resolve('inline.test')).toMatchObject({ username: 'inline' });
    expect(box.calls()).toEqual(['store old.test', 'store https://old.test', 'store inline.test', 'store https://inline.test']);
    expect(keychain.problems?.()).toEqual([]);
  });

  it('lets credHelpers win over credsStore for its host', async () => {
    box.helper('store', `echo '{"Username":"from-store","Secret":"s"}'`);
    box.helper('special', `echo '{"Username":"from-special","Secret":"s"}'`);
    const keychain = dockerKeychain(dockerConfig({ credsStore: 'store', credHelpers: { 'special.test': 'special' } }));
    expect(await keychain.resolve('special.test')).toMatchObject({ username: 'from-special' });
    expect(await keychain.resolve('any.test')).toMatchObject({ username: 'from-store' });
  });

  it('asks a helper once per host however often the host is looked up', async () => {
    box.helper('store', `echo '{"Username":"u","Secret":"s"}'`);
    const keychain = dockerKeychain(dockerConfig({ credsStore: 'store' }));
    await Promise.all([keychain.resolve('a.test'), keychain.resolve('a.test'), keychain.resolve('a.test')]);
    expect(box.calls()).toEqual(['store a.test']);
  });

  it('reports a helper that fails, naming it and the host, with its stderr but never a token-like word', async () => {
    box.helper('broken', `echo "error: keychain locked; tried abcdefghijklmnopqrstuvwxyz0123456789" >&2; exit 1`);
    const keychain = dockerKeychain(dockerConfig({ credHelpers: { 'private.test': 'broken' }, auths: { 'private.test': {} } }));
    expect(await keychain.resolve('private.test')).toBeNull();
    const [problem] = keychain.problems?.() ?? [];
    expect(problem).toMatchObject({ rule: 'credential-helper-failed', host: 'private.test' });
    expect(problem!.message).toContain('docker-credential-broken');
    expect(problem!.message).toContain('exited with code 1: error: keychain locked; tried [redacted]');
    expect(problem!.message).not.toContain('abcdefghijklmnopqrstuvwxyz');
  });

  it('reports a helper that is not installed', async () => {
    const keychain = dockerKeychain(dockerConfig({ credsStore: 'desktop' }));
    expect(await keychain.resolve('ghcr.io')).toBeNull();
    expect(keychain.problems?.()[0]?.message).toMatch(/docker-credential-desktop is not installed \(not found on PATH\)/);
  });

  it('stops a helper that hangs, and everything it started, after the time limit', async () => {
    box.helper('slow', 'sleep 37.25');
    const keychain = dockerKeychain(dockerConfig({ credsStore: 'slow' }), 300);
    expect(await keychain.resolve('ghcr.io')).toBeNull();
    expect(keychain.problems?.()[0]?.message).toMatch(/docker-credential-slow did not answer within 300 ms/);
    // The helper's process group is gone, the `sleep` it started included (given a moment to be reaped
    // on a loaded machine: the kill is sent before the keychain answers, the exit lands a little later).
    let running = '';
    for (let attempt = 0; attempt < 20; attempt++) {
      running = execFileSync('ps', ['-eo', 'args']).toString();
      if (!running.includes('docker-credential-slow') && !running.includes('sleep 37.25')) break;
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
    expect(running).not.toContain('docker-credential-slow');
    expect(running).not.toContain('sleep 37.25');
  });

  it('reports a helper whose answer is not JSON, without printing what it wrote', async () => {
    box.helper('chatty', `echo "user=alice password=hunter2"`);
    const keychain = dockerKeychain(dockerConfig({ credsStore: 'chatty' }));
    expect(await keychain.resolve('ghcr.io')).toBeNull();
    expect(keychain.problems?.()[0]?.message).toMatch(/docker-credential-chatty get did not answer JSON/);
    expect(keychain.problems?.()[0]?.message).not.toContain('hunter2');
  });

  it('turns problems into run-level findings of the rule table', async () => {
    const keychain = dockerKeychain(dockerConfig({ credsStore: 'desktop' }));
    await keychain.resolve('ghcr.io');
    await keychain.resolve('quay.io');
    const findings = problemFindings(keychain.problems?.() ?? []);
    expect(findings.map((f) => [f.rule, f.severity, f.range])).toEqual([
      ['credential-helper-failed', 'warning', null],
      ['credential-helper-failed', 'warning', null],
    ]);
    expect(findings.map((f) => f.message.match(/for (\S+):/)?.[1])).toEqual(['ghcr.io', 'quay.io']);
  });
});

describe('podman / skopeo auth.json', () => {
  it('reads REGISTRY_AUTH_FILE first', async () => {
    const file = box.write('custom/auth.json', { auths: { 'quay.io': { auth: base64('podman-user:p') } } });
    box.write('run/containers/auth.json', { auths: { 'quay.io': { auth: base64('xdg-user:p') } } });
    const keychain = podmanKeychain(box.env({ REGISTRY_AUTH_FILE: file, XDG_RUNTIME_DIR: path.join(box.dir, 'run') }));
    expect(await keychain.resolve('quay.io')).toMatchObject({ username: 'podman-user', source: `podman auth file ${file}` });
  });

  it('reads $XDG_RUNTIME_DIR/containers/auth.json, and leaves out namespace-scoped keys', async () => {
    box.write('run/containers/auth.json', { auths: { 'quay.io/team-a': { auth: base64('team:p') }, 'docker.io': { auth: base64('hub:p') } } });
    const keychain = podmanKeychain(box.env({ XDG_RUNTIME_DIR: path.join(box.dir, 'run') }));
    expect(await keychain.resolve('quay.io')).toBeNull();
    expect(await keychain.resolve('docker.io')).toMatchObject({ username: 'hub' });
  });
});

describe('GITHUB_TOKEN', () => {
  it('is offered to ghcr.io only, as Basic with the token as password', async () => {
    const keychain = githubTokenKeychain('ghs_workflowtoken', 'octocat');
    expect(await keychain.resolve('ghcr.io')).toEqual({ kind: 'basic', username: 'octocat', password: 'ghs_workflowtoken', source: 'GitHub token (github-token)' });
    for (const host of ['docker.io', 'ghcr.io.evil.test', 'evil-ghcr.io', 'pkg.ghcr.io', 'ghcr.io:444']) {
      expect(await keychain.resolve(host), host).toBeNull();
    }
    expect(await githubTokenKeychain('', null).resolve('ghcr.io')).toBeNull();
  });
});

describe('the order of the sources', () => {
  it('config beats Docker, Docker beats podman, podman beats GITHUB_TOKEN', async () => {
    const env = dockerConfig({ auths: { 'ghcr.io': { auth: base64('docker-user:p') }, 'quay.io': { auth: base64('docker-user:p') } } });
    box.write('run/containers/auth.json', { auths: { 'ghcr.io': { auth: base64('podman-user:p') }, 'quay.io': { auth: base64('podman-user:p') }, 'registry.test': { auth: base64('podman-user:p') } } });
    const config: Record<string, RegistrySettings> = { 'quay.io': { insecure: false, ca: null, username: null, password: null, token: 'config-token' } };
    const keychain = chain(configKeychain(config), environmentKeychain({ ...env, XDG_RUNTIME_DIR: path.join(box.dir, 'run') }, { githubToken: 'gh-token' }));
    expect(await keychain.resolve('quay.io')).toMatchObject({ kind: 'token', token: 'config-token', source: 'pullcheck config' });
    expect(await keychain.resolve('ghcr.io')).toMatchObject({ username: 'docker-user' });
    expect(await keychain.resolve('registry.test')).toMatchObject({ username: 'podman-user' });

    const onlyToken = environmentKeychain(box.env({ DOCKER_CONFIG: path.join(box.dir, 'none') }), { githubToken: 'gh-token' });
    expect(await onlyToken.resolve('ghcr.io')).toMatchObject({ password: 'gh-token' });
    expect(await onlyToken.resolve('quay.io')).toBeNull();
  });
});

describe('registry-auth input', () => {
  it('reads YAML and JSON, host keys normalised, every value kept exactly as written', () => {
    const yaml = parseRegistryAuth('ghcr.io:\n  token: ghp_abc\nhttps://index.docker.io/v1/:\n  username: 007\n  password: 0123\n');
    expect(yaml).toEqual({
      'ghcr.io': { insecure: false, ca: null, username: null, password: null, token: 'ghp_abc' },
      'docker.io': { insecure: false, ca: null, username: '007', password: '0123', token: null },
    });
    expect(parseRegistryAuth('{"registry.test:5000": {"username": "u", "password": "true"}}')).toEqual({
      'registry.test:5000': { insecure: false, ca: null, username: 'u', password: 'true', token: null },
    });
    expect(parseRegistryAuth('  ')).toEqual({});
  });

  it('names the host and the key in errors, never a value', () => {
    const cases: [string, RegExp][] = [
      ['ghcr.io:\n  user: me\n  password: s3cr3t-value', /unknown setting 'user' in registry-auth for ghcr.io/],
      ['ghcr.io:\n  password: s3cr3t-value', /registry-auth for ghcr.io needs both username and password/],
      ['ghcr.io:\n  username: me\n  password: s3cr3t-value\n  token: s3cr3t-value', /either username\/password or token/],
      ['ghcr.io: s3cr3t-value', /registry-auth for ghcr.io must be \{username, password\} or \{token\}/],
      ['s3cr3t-value', /registry-auth must map registry hosts/],
      ['ghcr.io:\n  token: "s3cr3t-value', /registry-auth is not valid YAML or JSON \(line \d+, column \d+\)/],
      ['ghcr.io:\n  username: me\n  password: ""', /password in registry-auth for ghcr.io is empty/],
      ['ghcr.io: {token: a}\nhttps://ghcr.io: {token: b}', /names ghcr.io twice/],
    ];
    for (const [text, message] of cases) {
      let error: unknown;
      try {
        parseRegistryAuth(text);
      } catch (caught) {
        error = caught;
      }
      expect(error, text).toBeInstanceOf(ConfigError);
      expect((error as Error).message, text).toMatch(message);
      expect((error as Error).message, text).not.toContain('s3cr3t');
    }
  });

  it('skips hosts whose secret is empty when asked to (fork pull requests), and says which', () => {
    const skipped: string[] = [];
    const result = parseRegistryAuth('ghcr.io: {token: ""}\nquay.io: {username: u, password: p}', { emptySecrets: 'skip', onSkipped: (host) => skipped.push(host) });
    expect(Object.keys(result)).toEqual(['quay.io']);
    expect(skipped).toEqual(['ghcr.io']);
  });

  it('lists every secret for masking, with the base64 form an Authorization header carries', () => {
    const settings = parseRegistryAuth('ghcr.io: {token: t0ken}\nquay.io: {username: u, password: p4ss}');
    expect(secretsOf(settings)).toEqual(['t0ken', 'p4ss', base64('u:p4ss')]);
  });
});
