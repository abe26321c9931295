// The bundled Action end to end, run as the GitHub runner runs it (see run-action.ts), against a loopback
// fake of the GitHub API. Most runs are offline (reference grammar and static rules need no registry); one
// checks images in the real Distribution registry of the test harness.
import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { mkdtemp, mkdir, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { PassThrough } from 'node:stream';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { main as cli } from '../../src/cli.js';
import { HEAD_SHA, startFakeGitHub, type FakeFile, type FakeGitHub } from './fake-github.js';
import { runAction } from './run-action.js';
import { pushImage } from '../support/push.js';
import { startRegistry, type RunningRegistry } from '../support/registry.js';

const REPOSITORY_ROOT = path.resolve(__dirname, '../..');

beforeAll(() => {
  // The runner runs the committed bundle; build it from the current source first (esbuild, well under 1 s).
  execFileSync(process.execPath, ['scripts/build.mjs'], { cwd: REPOSITORY_ROOT, stdio: 'pipe' });
});

async function workspace(files: Record<string, string>): Promise<string> {
  const dir = await mkdtemp(path.join(os.tmpdir(), 'pullcheck-workspace-'));
  for (const [file, text] of Object.entries(files)) {
    await mkdir(path.dirname(path.join(dir, file)), { recursive: true });
    await writeFile(path.join(dir, file), text);
  }
  return dir;
}

// Offline findings by line: 10 deprecated-registry (warning, fix), 12 deprecated-registry on Bitnami
// (error, fix), 14 latest-tag (notice).
const APP = `apiVersion: apps/v1
kind: Deployment
metadata:
  name: web
spec:
  template:
    spec:
      containers:
        - name: web
          image: "k8s.gcr.io/pause:3.9"
        - name: cache
          image: bitnami/redis:7.2
        - name: side
          image: nginx:latest
`;
/** An invalid reference (error) on line 6, in a file the pull request does not touch. */
const OTHER = `apiVersion: v1
kind: Pod
metadata:
  name: other
spec:
  containers: [{ name: a, image: "Nginx:1.25" }]
`;
/** The pull request changes lines 10 and 12 of deploy/app.yaml; line 14 is context. */
const APP_PATCH = `@@ -7,8 +7,8 @@ spec:
     spec:
       containers:
         - name: web
-          image: "k8s.gcr.io/pause:3.8"
+          image: "k8s.gcr.io/pause:3.9"
         - name: cache
-          image: bitnami/redis:7.0
+          image: bitnami/redis:7.2
         - name: side
           image: nginx:latest`;
const PR_FILES: FakeFile[] = [
  { filename: 'README.md', status: 'modified', patch: '@@ -1 +1 @@\n-a\n+b' },
  { filename: 'deploy/app.yaml', status: 'modified', patch: APP_PATCH },
  { filename: 'deploy/old.yaml', status: 'removed', patch: '@@ -1 +0,0 @@\n-x' },
];

const OFFLINE = { offline: 'true', 'github-token': 'ghs_testtoken' };
let github: FakeGitHub;
let repo: string;

beforeAll(async () => {
  repo = await workspace({ 'deploy/app.yaml': APP, 'deploy/other.yaml': OTHER });
});
afterEach(async () => {
  await github?.close();
});

describe('on a pull request', () => {
  it('annotates, reviews, summarises and fails on the lines the pull request adds', async () => {
    github = await startFakeGitHub({ files: PR_FILES, refuse: { checks: true } });
    const run = await runAction({ workspace: repo, inputs: OFFLINE, apiUrl: github.url });

    expect(run.code).toBe(1);
    expect(run.commands.filter((c) => !c.startsWith('::add-mask::'))).toEqual([
      expect.stringMatching(/^::error title=deprecated-registry,file=deploy\/app\.yaml,line=12,col=18,endColumn=35::.*bitnamilegacy.*%0AFix: use bitnamilegacy\/redis:7\.2$/),
      expect.stringMatching(/^::warning title=deprecated-registry,file=deploy\/app\.yaml,line=10,col=18,endColumn=40::.*%0AFix: use registry\.k8s\.io\/pause:3\.9$/),
      '::error::pullcheck: 1 error at or above fail-on: error',
    ]);
    expect(run.outputs).toMatchObject({ errors: '1', warnings: '1', result: 'fail', sarif: '' });
    // The JSON report keeps every finding; the filter only decides what counts.
    const report = JSON.parse(readFileSync(run.outputs.report!, 'utf8')) as { findings: { rule: string; file: string; line: number }[] };
    expect(report.findings.map((f) => `${f.rule} ${f.file}:${f.line}`).sort()).toEqual([
      'deprecated-registry deploy/app.yaml:10', 'deprecated-registry deploy/app.yaml:12', 'invalid-reference deploy/other.yaml:6', 'latest-tag deploy/app.yaml:14',
    ]);

    expect(run.summary).toContain('## ❌ pullcheck failed');
    expect(run.summary).toContain('**1 error**, 1 warning, 0 notices on lines this pull request adds (2 more findings elsewhere, not counted: `filter-mode: added`)');
    expect(run.summary).toContain(`[deploy/app.yaml:12](https://github.com/octo/app/blob/${HEAD_SHA}/deploy/app.yaml#L12)`);

    expect(github.reviews).toHaveLength(1);
    const [review] = github.reviews;
    expect(review).toMatchObject({ commit_id: HEAD_SHA, event: 'COMMENT' });
    expect(review!.comments.map((c) => [c.path, c.line, c.side])).toEqual([['deploy/app.yaml', 12, 'RIGHT'], ['deploy/app.yaml', 10, 'RIGHT']]);
    expect(review!.comments[0]!.body).toContain('```suggestion\n          image: bitnamilegacy/redis:7.2\n```');
    expect(review!.comments[1]!.body).toContain('```suggestion\n          image: "registry.k8s.io/pause:3.9"\n```');
    // The pull request's files came in two pages (the fake serves two per page).
    expect(github.calls.filter((c) => c.path.endsWith('/files'))).toHaveLength(2);
  });

  it('posts nothing twice: a second run finds its earlier comments, and a fixed problem is not commented', async () => {
    github = await startFakeGitHub({ files: PR_FILES, refuse: { checks: true } });
    await runAction({ workspace: repo, inputs: OFFLINE, apiUrl: github.url });
    expect(github.reviews).toHaveLength(1);

    await runAction({ workspace: repo, inputs: OFFLINE, apiUrl: github.url });
    expect(github.reviews).toHaveLength(1);

    const fixed = await workspace({ 'deploy/app.yaml': APP.replace('bitnami/redis', 'bitnamilegacy/redis'), 'deploy/other.yaml': OTHER });
    const afterFix = await runAction({ workspace: fixed, inputs: OFFLINE, apiUrl: github.url });
    expect(github.reviews).toHaveLength(1);
    expect(afterFix.code).toBe(0);
    expect(afterFix.outputs).toMatchObject({ errors: '0', warnings: '1', result: 'pass' });
  });

  it('publishes every annotation through the Checks API when the token may write checks, and caps the review', async () => {
    const many = `apiVersion: v1\nkind: Pod\nmetadata: {name: many}\nspec:\n  containers:\n${Array.from({ length: 60 }, (_, i) => `    - {name: c${i}, image: "app${i}:latest"}`).join('\n')}\n`;
    const lines = many.trimEnd().split('\n');
    const dir = await workspace({ 'many.yaml': many });
    github = await startFakeGitHub({ files: [{ filename: 'many.yaml', status: 'added', patch: `@@ -0,0 +1,${lines.length} @@\n${lines.map((l) => `+${l}`).join('\n')}` }] });
    const run = await runAction({ workspace: dir, inputs: { ...OFFLINE, 'fail-on': 'never' }, apiUrl: github.url });

    expect(run.code).toBe(0);
    expect(run.commands.filter((c) => !c.startsWith('::add-mask::'))).toEqual([]);
    const [create, ...updates] = github.checkRuns;
    expect(create).toMatchObject({ name: 'pullcheck', head_sha: HEAD_SHA, status: 'in_progress' });
    const annotations = updates.map((u) => (u.output as { annotations: unknown[] }).annotations);
    expect(annotations.map((a) => a.length)).toEqual([50, 10]);
    expect(annotations[0]![0]).toEqual({ path: 'many.yaml', start_line: 6, end_line: 6, start_column: 25, end_column: 38, annotation_level: 'notice', title: 'latest-tag', message: expect.stringContaining('"latest"') });
    expect(updates.at(-1)).toMatchObject({ status: 'completed', conclusion: 'neutral', output: { title: '0 errors, 0 warnings, 60 notices' } });
    expect(updates[0]).not.toHaveProperty('conclusion');

    // One review of at most 50 comments; the summary says what is left for the next run.
    expect(github.reviews).toHaveLength(1);
    expect(github.reviews[0]!.comments).toHaveLength(50);
    expect(run.summary).toContain('10 more problems on changed lines were not commented');
  });

  it('says once why no review was posted when the token may not write pull requests', async () => {
    github = await startFakeGitHub({ files: PR_FILES, refuse: { checks: true, reviews: true } });
    const run = await runAction({ workspace: repo, inputs: OFFLINE, apiUrl: github.url });
    expect(run.code).toBe(1);
    expect(run.summary).toContain('The token may not write pull requests (`permissions: pull-requests: write`): no review comments were posted; the findings are annotations only.');
    expect(run.stdout.match(/may not write pull requests/g)).toHaveLength(1);
    expect(run.commands.filter((c) => c.startsWith('::error title=') || c.startsWith('::warning title='))).toHaveLength(2);
  });

  it('does not try to review a pull request from a fork, and annotates instead', async () => {
    github = await startFakeGitHub({ files: PR_FILES, refuse: { checks: true } });
    const run = await runAction({ workspace: repo, inputs: OFFLINE, apiUrl: github.url, event: 'pull_request_from_fork' });
    expect(github.calls.filter((c) => c.path.endsWith('/reviews') || c.path.endsWith('/comments'))).toEqual([]);
    expect(run.summary).toContain('This pull request comes from a fork, whose token may not comment');
    expect(run.commands.some((c) => c.startsWith('::error title=deprecated-registry'))).toBe(true);
  });

  it('counts every finding when the changed lines cannot be read, and says why', async () => {
    github = await startFakeGitHub({ files: PR_FILES, refuse: { checks: true, files: true } });
    const run = await runAction({ workspace: repo, inputs: OFFLINE, apiUrl: github.url });
    expect(run.outputs).toMatchObject({ errors: '2', warnings: '1', result: 'fail' });
    expect(run.summary).toContain("The pull request's changed files could not be read (HTTP 403");
    expect(run.summary).toContain('`filter-mode: added` needs the pull request\'s changed lines, which this run does not have; every finding counts.');
    expect(github.reviews).toEqual([]);
  });

  it('gates by fail-on and filter mode', async () => {
    // This pull request only touches line 14 (a notice): the error on line 12 is not its doing.
    const onlyLatest = `@@ -13,2 +13,2 @@\n         - name: side\n-          image: nginx:1.24\n+          image: nginx:latest`;
    github = await startFakeGitHub({ files: [{ filename: 'deploy/app.yaml', status: 'modified', patch: onlyLatest }], refuse: { checks: true, reviews: true } });
    const gate = async (inputs: Record<string, string>) => {
      const run = await runAction({ workspace: repo, inputs: { ...OFFLINE, ...inputs }, apiUrl: github.url });
      return [run.code, run.outputs.result, run.outputs.errors, run.outputs.warnings].join(' ');
    };
    expect(await gate({})).toBe('0 pass 0 0');
    expect(await gate({ 'filter-mode': 'file' })).toBe('1 fail 1 1');
    expect(await gate({ 'filter-mode': 'file', 'fail-on': 'never' })).toBe('0 pass 1 1');
    expect(await gate({ 'filter-mode': 'nofilter' })).toBe('1 fail 2 1');
    expect(await gate({ 'fail-on': 'warning', 'filter-mode': 'file' })).toBe('1 fail 1 1');
  });
});

describe('on a push', () => {
  it('counts every finding, caps the annotations and keeps a hostile image string in its line', async () => {
    const hostile = 'evil\\n::set-output name=result::pass%0A::error::forged';
    const pods = Array.from({ length: 12 }, (_, i) => `---\napiVersion: v1\nkind: Pod\nmetadata: {name: p${i}}\nspec:\n  containers: [{name: a, image: "Bad:${i}"}]`).join('\n');
    const dir = await workspace({ 'pods.yaml': pods, 'evil.yaml': `apiVersion: v1\nkind: Pod\nmetadata: {name: e}\nspec:\n  containers: [{name: a, image: "${hostile}"}]\n` });
    const run = await runAction({ workspace: dir, inputs: { offline: 'true', sarif: 'out/pullcheck.sarif' }, event: 'push' });

    expect(run.code).toBe(1);
    const annotations = run.commands.filter((c) => /^::(error|warning|notice) title=/.test(c));
    // Nine errors: the tenth slot is for the step's failure message, which comes last.
    expect(annotations.map((c) => c.slice(2, c.indexOf(' ')))).toEqual([...Array(9).fill('error'), 'notice']);
    expect(annotations.at(-1)).toBe('::notice title=pullcheck::4 more findings are not shown as annotations (GitHub shows 10 per level and step); the job summary lists them all.');
    expect(run.commands.at(-1)).toBe('::error::pullcheck: 13 errors at or above fail-on: error');
    const evil = annotations.find((c) => c.includes('file=evil.yaml'));
    expect(evil).toContain('evil\\n::set-output name=result::pass%250A::error::forged');
    expect(run.stdout.split('\n').filter((l) => l.startsWith('::set-output'))).toEqual([]);
    expect(run.outputs).toMatchObject({ result: 'fail', errors: '13', sarif: path.join(dir, 'out/pullcheck.sarif') });
    const sarif = JSON.parse(readFileSync(run.outputs.sarif!, 'utf8')) as { runs: { results: unknown[] }[] };
    expect(sarif.runs[0]!.results).toHaveLength(13);
    expect(run.summary.match(/^\| ❌ \|/gm)).toHaveLength(13);
  });

  it('fails the step with one clear line naming a bad input', async () => {
    const run = await runAction({ workspace: repo, inputs: { 'fail-on': 'errors' }, event: 'push' });
    expect(run.code).toBe(1);
    expect(run.stdout.trim()).toBe("::error::pullcheck: input 'fail-on' must be one of error, warning, never (got 'errors')");
    expect(run.stderr).toBe('');
    expect(run.outputs).toEqual({});
  });

  it('fails with one line for a broken config file too', async () => {
    const dir = await workspace({ '.github/pullcheck.yml': 'platfroms: [linux/amd64]\n', 'a.yaml': APP });
    const run = await runAction({ workspace: dir, inputs: { offline: 'true' }, event: 'push' });
    expect(run.code).toBe(1);
    expect(run.stdout.trim()).toMatch(/^::error::pullcheck: unknown setting 'platfroms' in \.github\/pullcheck\.yml \(known: [^\n]*\)$/);
  });
});

describe('against a registry', () => {
  let registry: RunningRegistry;
  beforeAll(async () => {
    registry = await startRegistry({ auth: 'htpasswd', users: { ci: 'ci-reader-password' } });
    await pushImage(registry, 'team/api', '1.0');
  });
  afterAll(async () => {
    await registry?.stop();
  });

  it('checks with the registry-auth credentials, masks them, and suggests the tag that exists', async () => {
    const manifest = (tag: string, name: string) => `apiVersion: v1\nkind: Pod\nmetadata:\n  name: ${name}\nspec:\n  imagePullSecrets: [{ name: regcred }]\n  containers:\n    - name: api\n      image: ${registry.host}/team/api:${tag}\n`;
    const dir = await workspace({ 'ok.yaml': manifest('1.0', 'ok'), 'bad.yaml': manifest('1.1', 'bad') });
    github = await startFakeGitHub({ files: [{ filename: 'bad.yaml', status: 'added', patch: `@@ -0,0 +1,9 @@\n${manifest('1.1', 'bad').trimEnd().split('\n').map((l) => `+${l}`).join('\n')}` }], refuse: { checks: true } });
    const auth = JSON.stringify({ [registry.host]: { username: 'ci', password: 'ci-reader-password' } });
    const run = await runAction({ workspace: dir, inputs: { 'registry-auth': auth, 'github-token': 'ghs_testtoken', 'filter-mode': 'nofilter' }, apiUrl: github.url });

    expect(run.code).toBe(1);
    expect(run.commands).toContain('::add-mask::ci-reader-password');
    expect(run.stdout.replace('::add-mask::ci-reader-password', '')).not.toContain('ci-reader-password');
    expect(run.commands.filter((c) => c.includes('title='))).toEqual([expect.stringMatching(/^::error title=tag-not-found,file=bad\.yaml,line=9,/)]);
    expect(run.outputs).toMatchObject({ errors: '1', images: '2', result: 'fail' });
    expect(run.summary).toMatch(new RegExp(`\\| <code>${registry.host.replace(/\./g, '\\.')}/team/api:1\\.0</code> \\| ok \\| <code>sha256:[0-9a-f]{12}…</code> \\| linux/amd64 \\|`));
    expect(github.reviews[0]!.comments).toEqual([expect.objectContaining({ path: 'bad.yaml', line: 9, body: expect.stringContaining(`\`\`\`suggestion\n      image: ${registry.host}/team/api:1.0\n\`\`\``) })]);
  });
});

describe('the CLI', () => {
  it('prints the same workflow commands with --format github', async () => {
    const stdout = new PassThrough();
    let text = '';
    stdout.on('data', (chunk: Buffer) => { text += chunk.toString('utf8'); });
    const code = await cli(['--offline', '--format', 'github', 'deploy'], { stdout, stderr: new PassThrough(), cwd: repo, env: {} });
    expect(code).toBe(1);
    expect(text.split('\n').filter(Boolean).map((l) => l.slice(0, l.indexOf('::', 2)))).toEqual([
      '::error title=deprecated-registry,file=deploy/app.yaml,line=12,col=18,endColumn=35',
      '::error title=invalid-reference,file=deploy/other.yaml,line=6,col=34,endColumn=46',
      '::warning title=deprecated-registry,file=deploy/app.yaml,line=10,col=18,endColumn=40',
      '::notice title=latest-tag,file=deploy/app.yaml,line=14,col=18,endColumn=30',
    ]);
  });
});
