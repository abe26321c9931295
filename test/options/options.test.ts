import { mkdtempSync, mkdirSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { rmSync } from 'node:fs';
import { afterAll, describe, expect, it } from 'vitest';
import { buildOptions, ConfigError, normaliseHost } from '../../src/options.js';

const made: string[] = [];
afterAll(() => made.forEach((dir) => rmSync(dir, { recursive: true, force: true })));

function workspace(files: Record<string, string>): string {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'pullcheck-options-'));
  made.push(dir);
  for (const [name, text] of Object.entries(files)) {
    mkdirSync(path.dirname(path.join(dir, name)), { recursive: true });
    writeFileSync(path.join(dir, name), text);
  }
  return dir;
}

describe('buildOptions', () => {
  it('has defaults a user can rely on', () => {
    const o = buildOptions({ root: workspace({}) });
    expect(o).toMatchObject({ paths: ['.'], failOn: 'error', platforms: ['linux/amd64'], timeoutMs: 120_000, offline: false, kustomize: 'auto', helm: 'auto' });
    expect(o.maxFileSize).toBe(10 * 1024 * 1024);
  });

  it('finds .github/pullcheck.yml by itself and reads every setting', () => {
    const root = workspace({
      '.github/pullcheck.yml': [
        'platforms: [linux/amd64, linux/arm64]',
        'timeout: 90s',
        'fail-on: warning',
        'max-file-size: 2MB',
        'unreachable: warning',
        'rules: { latest-tag: warning, missing-tag: off }',
        'registries:',
        '  "https://index.docker.io/v1/": { username: u, password: p }',
        '  "reg.example.com:5000": { insecure: true, ca: ca.pem }',
        'charts: { charts/app/: { values: [values-prod.yaml], set: { replicas: 3 }, release: app } }',
      ].join('\n'),
      '.github/ca.pem': '-----BEGIN CERTIFICATE-----\n',
    });
    const o = buildOptions({ root });
    expect(o.platforms).toEqual(['linux/amd64', 'linux/arm64']);
    expect(o.timeoutMs).toBe(90_000);
    expect(o.failOn).toBe('warning');
    expect(o.maxFileSize).toBe(2 * 1024 * 1024);
    expect(o.severities).toEqual({ 'latest-tag': 'warning', 'missing-tag': 'off', 'registry-unreachable': 'warning', 'registry-error': 'warning' });
    expect(o.registries['docker.io']).toMatchObject({ username: 'u', password: 'p', insecure: false });
    // The CA path is relative to the config file's folder.
    expect(o.registries['reg.example.com:5000']).toMatchObject({ insecure: true, ca: '-----BEGIN CERTIFICATE-----\n' });
    expect(o.charts['charts/app']).toEqual({ values: ['values-prod.yaml'], set: { replicas: '3' }, release: 'app', namespace: undefined });
  });

  it('lets command-line values win over the config file', () => {
    const root = workspace({ '.pullcheck.yml': 'fail-on: never\nplatforms: [linux/arm64]\ntimeout: 5m\n' });
    const o = buildOptions({ root, failOn: 'warning', platforms: ['linux/s390x'], timeout: '10s' });
    expect(o).toMatchObject({ failOn: 'warning', platforms: ['linux/s390x'], timeoutMs: 10_000 });
  });

  it.each([
    [{ failOn: 'sometimes' }, "--fail-on must be one of error, warning, never (got 'sometimes')"],
    [{ timeout: 'soon' }, "--timeout must be a duration like 90s, 2m or 500ms (got 'soon')"],
    [{ platforms: ['amd64'] }, "platform 'amd64' must look like os/arch[/variant], e.g. linux/amd64 or linux/arm/v7"],
    [{ configFile: '/nonexistent/pullcheck.yml' }, 'cannot read config file /nonexistent/pullcheck.yml: ENOENT'],
  ])('rejects %j with one clear line', (raw, message) => {
    const root = workspace({});
    expect(() => buildOptions({ root, ...raw })).toThrow(new ConfigError(message));
  });

  it.each([
    ['colour: red\n', "unknown setting 'colour' in .pullcheck.yml"],
    ['rules: { no-such-rule: off }\n', "unknown rule 'no-such-rule' in rules in .pullcheck.yml (see docs/rules.md)"],
    ['rules: { latest-tag: loud }\n', 'rules.latest-tag in .pullcheck.yml must be one of error, warning, notice, off'],
    ['registries: { r.io: { username: u } }\n', 'registries.r.io in .pullcheck.yml needs both username and password'],
    ['registries: { r.io: { ca: missing.pem } }\n', 'cannot read CA file missing.pem (registries.r.io.ca in .pullcheck.yml): ENOENT'],
    ['timeout: [1]\n', 'timeout in .pullcheck.yml must be a string'],
    ['a: [\n', 'config file .pullcheck.yml is not valid YAML'],
    ['- just\n- a list\n', 'config file .pullcheck.yml must be a mapping'],
  ])('names the setting and the file for %j', (text, message) => {
    const root = workspace({ '.pullcheck.yml': text });
    expect(() => buildOptions({ root })).toThrow(message);
  });
});

describe('normaliseHost', () => {
  it.each([
    ['https://index.docker.io/v1/', 'docker.io'],
    ['registry-1.docker.io', 'docker.io'],
    ['index.docker.io', 'docker.io'],
    ['HTTPS://Reg.Example.com:5000/v2/', 'reg.example.com:5000'],
    ['ghcr.io', 'ghcr.io'],
    ['[::1]:5000', '[::1]:5000'],
  ])('%s → %s', (key, host) => expect(normaliseHost(key)).toBe(host));
});
