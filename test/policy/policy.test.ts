// The opt-in policy (allowed-registries, require-digest, pull-policy), suppressions (config `ignore` and
// `# pullcheck-ignore:` comments) and their settings, through the whole pipeline on a repository on disk.
import { afterAll, afterEach, describe, expect, it } from 'vitest';
import { ConfigError } from '../../src/options.js';
import { startFakeRegistry, type FakeRegistry } from '../support/fakes.js';
import { fakeIndex, located, workload, workspace, type Workspace } from './workspace.js';

const spaces: Workspace[] = [];
function repo(files: Record<string, string>): Workspace {
  const ws = workspace(files);
  spaces.push(ws);
  return ws;
}
const fakes: FakeRegistry[] = [];
afterEach(async () => {
  await Promise.all(fakes.splice(0).map((f) => f.stop()));
});
afterAll(() => spaces.forEach((ws) => ws.remove()));

async function registryWith(repository: string, tag: string): Promise<FakeRegistry> {
  const fake = await startFakeRegistry({ images: { [repository]: { [tag]: fakeIndex(['linux/amd64'], 'd') } } });
  fakes.push(fake);
  return fake;
}

async function configError(ws: Workspace, config: object): Promise<string> {
  const error = await ws.check(config, { offline: true }).then(() => null, (e: unknown) => e);
  expect(error).toBeInstanceOf(ConfigError);
  return (error as Error).message.replace(/ in \S+pullcheck\.yml/, ' in <config>');
}

describe('allowed-registries', () => {
  it('reports an image from another registry at its line, and never contacts that registry', async () => {
    const allowed = await registryWith('team/api', '1.0');
    const other = await registryWith('team/web', '1.0');
    const ws = repo({
      'deploy/api.yaml': workload({ name: 'api', image: `${allowed.host}/team/api:1.0` }),
      'deploy/web.yaml': workload({ name: 'web', image: `${other.host}/team/web:1.0` }),
    });
    const report = await ws.check({ 'allowed-registries': [allowed.host, 'ghcr.io'] });

    expect(located(report.findings)).toEqual([`disallowed-registry deploy/web.yaml:${ws.lineOf('deploy/web.yaml', 'image:')}`]);
    expect(report.findings[0]).toMatchObject({
      severity: 'error',
      message: `${other.host}/team/web:1.0 comes from ${other.host}, which allowed-registries (${allowed.host}, ghcr.io) does not list; it was not checked against the registry.`,
    });
    expect(other.requests()).toEqual([]);
    expect(allowed.requests().length).toBeGreaterThan(0);
    expect(report.images.find((i) => i.registry === other.host)!.status).toBe('unchecked');
  });

  it('matches globs on the host, or on registry/repository when the glob has a slash', async () => {
    const ws = repo({
      'deploy/a.yaml': workload({ name: 'a', image: '123456789012.dkr.ecr.eu-west-1.amazonaws.com/api:1' }),
      'deploy/b.yaml': workload({ name: 'b', image: 'nginx:1.25' }),
      'deploy/c.yaml': workload({ name: 'c', image: 'acme/tool:1' }),
    });
    const report = await ws.check({ 'allowed-registries': ['*.dkr.ecr.*.amazonaws.com', 'docker.io/library/*'] }, { offline: true });
    expect(located(report.findings)).toEqual([`disallowed-registry deploy/c.yaml:${ws.lineOf('deploy/c.yaml', 'image:')}`]);
  });
});

describe('require-digest', () => {
  it('reports unpinned images, with the digest the tag points at as the fix, written as the user wrote it', async () => {
    const fake = await registryWith('team/api', '1.0');
    const ws = repo({
      'deploy/api.yaml': workload({ name: 'api', image: `${fake.host}/team/api:1.0` }),
      'deploy/pinned.yaml': workload({ name: 'pinned', image: `nginx:1.25@sha256:${'e'.repeat(64)}` }),
    });
    const report = await ws.check({ 'require-digest': true, registries: { 'docker.io': { endpoint: fake.url } } });
    const digest = report.images.find((i) => i.repository === 'team/api')!.digest!;
    expect(report.findings.filter((f) => f.rule === 'missing-digest')).toEqual([expect.objectContaining({
      severity: 'error', file: 'deploy/api.yaml', line: ws.lineOf('deploy/api.yaml', 'image:'),
      message: `${fake.host}/team/api:1.0 is not pinned by digest (require-digest is on); the tag points at ${digest} now.`,
      fix: { replacement: `${fake.host}/team/api:1.0@${digest}` },
    })]);
  });

  it('reports without a fix when the registry was not asked, and not at all unless turned on', async () => {
    const ws = repo({ 'deploy/api.yaml': workload({ name: 'api', image: 'acme/api:1.0' }) });
    expect((await ws.check({ 'require-digest': true }, { offline: true })).findings).toEqual([expect.objectContaining({ rule: 'missing-digest', fix: null })]);
    expect((await ws.check({}, { offline: true })).findings).toEqual([]);
  });
});

describe('pull-policy', () => {
  it('reports a moving tag pulled IfNotPresent, written or by default, and nothing else', async () => {
    const files = {
      'deploy/minor.yaml': workload({ name: 'minor', image: 'acme/api:1.25' }), // default IfNotPresent
      'deploy/stable.yaml': workload({ name: 'stable', image: 'acme/web:stable-alpine', pullPolicy: 'IfNotPresent' }),
      'deploy/latest.yaml': workload({ name: 'latest', image: 'acme/tool:latest', pullPolicy: 'IfNotPresent' }),
      'deploy/full.yaml': workload({ name: 'full', image: 'acme/api:1.25.3' }),
      'deploy/always.yaml': workload({ name: 'always', image: 'acme/api:1', pullPolicy: 'Always' }),
      'deploy/digest.yaml': workload({ name: 'digest', image: `acme/api:1@sha256:${'f'.repeat(64)}` }),
      'deploy/date.yaml': workload({ name: 'date', image: 'acme/api:20261125' }),
    };
    const ws = repo(files);
    const report = await ws.check({ 'pull-policy': true, rules: { 'latest-tag': 'off' } }, { offline: true });
    const line = (file: string) => ws.lineOf(file, 'image:');
    expect(located(report.findings).sort()).toEqual([
      `mutable-tag-pull-policy deploy/latest.yaml:${line('deploy/latest.yaml')}`,
      `mutable-tag-pull-policy deploy/minor.yaml:${line('deploy/minor.yaml')}`,
      `mutable-tag-pull-policy deploy/stable.yaml:${line('deploy/stable.yaml')}`,
    ]);
    expect(report.findings.find((f) => f.file === 'deploy/minor.yaml')).toMatchObject({
      severity: 'warning',
      message: 'acme/api:1.25 is pulled IfNotPresent (the default for a tag other than latest), and "1.25" is a tag that moves: each node keeps the build it pulled first, so nodes can run different builds under one tag. Pin a digest or a full version, or pull Always.',
    });
  });
});

describe('suppressions', () => {
  it('applies config ignore entries by rule, image glob and path glob, and lists them with their reason', async () => {
    const ws = repo({
      'deploy/web.yaml': workload({ name: 'web', image: 'nginx:latest' }),
      'deploy/tools.yaml': workload({ name: 'tools', image: 'busybox:latest' }),
      'staging/web.yaml': workload({ name: 'web', image: 'nginx:latest' }),
    });
    const report = await ws.check({
      ignore: [{ rule: 'latest-tag', image: 'docker.io/library/nginx:*', path: 'staging/**', reason: 'staging follows upstream on purpose' }],
    }, { offline: true });
    expect(located(report.findings)).toEqual([
      `latest-tag deploy/tools.yaml:${ws.lineOf('deploy/tools.yaml', 'image:')}`,
      `latest-tag deploy/web.yaml:${ws.lineOf('deploy/web.yaml', 'image:')}`,
    ]);
    expect(report.suppressed).toEqual([{
      rule: 'latest-tag', file: 'staging/web.yaml', line: ws.lineOf('staging/web.yaml', 'image:'), image: 'nginx:latest', reason: 'staging follows upstream on purpose', by: 'config',
    }]);
    expect(report.summary.notices).toBe(2);
  });

  it('honours `# pullcheck-ignore:` on the line or in the comment lines above, for one or several rules', async () => {
    const ws = repo({
      'deploy/same.yaml': workload({ name: 'same', image: 'nginx:latest', imageComment: '# pullcheck-ignore: latest-tag pinned by the platform team\'s mirror' }),
      'deploy/above.yaml': workload({ name: 'above', image: 'acme/tool', commentsAbove: ['# why: a tool image we rebuild nightly', '# pullcheck-ignore: missing-tag,missing-digest rebuilt nightly, tracked in OPS-12'] }),
      'deploy/far.yaml': workload({ name: 'far', image: 'acme/tool:latest', commentsAbove: ['# pullcheck-ignore: latest-tag too far away', ''] }),
    });
    const report = await ws.check({ 'require-digest': true }, { offline: true });
    expect(located(report.findings).sort()).toEqual([
      `latest-tag deploy/far.yaml:${ws.lineOf('deploy/far.yaml', 'image:')}`,
      `missing-digest deploy/far.yaml:${ws.lineOf('deploy/far.yaml', 'image:')}`,
      `missing-digest deploy/same.yaml:${ws.lineOf('deploy/same.yaml', 'image:')}`,
    ]);
    expect(report.suppressed.map((s) => `${s.rule} ${s.file}:${s.line} ${s.by}: ${s.reason}`).sort()).toEqual([
      `latest-tag deploy/same.yaml:${ws.lineOf('deploy/same.yaml', 'image:')} comment: pinned by the platform team's mirror`,
      `missing-digest deploy/above.yaml:${ws.lineOf('deploy/above.yaml', 'image:')} comment: rebuilt nightly, tracked in OPS-12`,
      `missing-tag deploy/above.yaml:${ws.lineOf('deploy/above.yaml', 'image:')} comment: rebuilt nightly, tracked in OPS-12`,
    ]);
  });

  it('reports a comment with an unknown rule or no reason at the comment, and suppresses nothing with it', async () => {
    const ws = repo({
      'deploy/typo.yaml': workload({ name: 'typo', image: 'nginx:latest', commentsAbove: ['# pullcheck-ignore: lastest-tag we know'] }),
      'deploy/bare.yaml': workload({ name: 'bare', image: 'acme/api:1.0', imageComment: '# pullcheck-ignore: latest-tag' }),
    });
    const report = await ws.check({}, { offline: true });
    expect(located(report.findings).sort()).toEqual([
      `invalid-suppression deploy/bare.yaml:${ws.lineOf('deploy/bare.yaml', 'image:')}`,
      `invalid-suppression deploy/typo.yaml:${ws.lineOf('deploy/typo.yaml', 'pullcheck-ignore')}`,
      `latest-tag deploy/typo.yaml:${ws.lineOf('deploy/typo.yaml', 'image:')}`,
    ]);
    const message = (file: string) => report.findings.find((f) => f.rule === 'invalid-suppression' && f.file === file)!.message;
    expect(message('deploy/typo.yaml')).toBe('This pullcheck-ignore comment names unknown rule \'lastest-tag\' (see docs/rules.md), so it suppresses nothing; write `# pullcheck-ignore: <rule>[,<rule>] <reason>`.');
    expect(message('deploy/bare.yaml')).toContain('gives no reason');
    expect(report.suppressed).toEqual([]);
  });

  it('is quiet on a healthy repository with every policy on', async () => {
    const ws = repo({ 'deploy/api.yaml': workload({ name: 'api', image: `ghcr.io/acme/api:1.4.2@sha256:${'a'.repeat(64)}` }) });
    const report = await ws.check({ 'allowed-registries': ['ghcr.io'], 'require-digest': true, 'pull-policy': true }, { offline: true });
    expect(report.findings).toEqual([]);
    expect(report.suppressed).toEqual([]);
  });
});

describe('policy settings', () => {
  it.each<[object, string]>([
    [{ ignore: [{ rule: 'lastest-tag', reason: 'x' }] }, "unknown rule 'lastest-tag' in ignore[0].rule in <config> (see docs/rules.md)"],
    [{ ignore: [{ rule: 'latest-tag' }] }, 'ignore[0] in <config> needs a reason: it is shown in the report next to what it suppresses'],
    [{ ignore: [{ rule: 'latest-tag', reason: 'x', file: 'a.yaml' }] }, "unknown setting 'file' under ignore[0] in <config> (known: rule, image, path, reason)"],
    [{ ignore: { rule: 'latest-tag' } }, 'ignore in <config> must be a list of {rule, image, path, reason} entries'],
    [{ 'allowed-registries': [] }, "allowed-registries in <config> must list at least one registry glob, e.g. [ghcr.io, '*.dkr.ecr.*.amazonaws.com']"],
    [{ 'require-digest': 'yes' }, 'require-digest in <config> must be true or false'],
    [{ nodes: 0 }, "nodes in <config> must be a whole number greater than zero (got '0')"],
  ])('rejects %j with one clear line naming the key and the file', async (config, message) => {
    expect(await configError(repo({}), config)).toBe(message);
  });
});
