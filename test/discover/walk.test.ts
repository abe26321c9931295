// The walk over a real temporary tree: .gitignore, globs, charts, kustomizations, symlinks, odd names.
import { mkdirSync, mkdtempSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { walk, type WalkOptions } from '../../src/discover/walk.js';

let sandbox: string;
let root: string;

function write(rel: string, text = 'a: 1\n'): void {
  const file = path.join(root, rel);
  mkdirSync(path.dirname(file), { recursive: true });
  writeFileSync(file, text);
}

function scan(options: Partial<WalkOptions> = {}) {
  return walk({ root, paths: [], include: [], exclude: [], ...options });
}

const reasons = (result: Awaited<ReturnType<typeof scan>>) =>
  result.skipped.map((finding) => `${finding.range?.file}: ${finding.message}`);

beforeAll(() => {
  sandbox = mkdtempSync(path.join(os.tmpdir(), 'pullcheck-walk-'));
  root = path.join(sandbox, 'repo');
  write('.gitignore', 'build/\n*.tmp.yaml\n');
  write('app.yaml');
  write('config.json', '{}');
  write('notes.md', '# not yaml');
  write('x.tmp.yaml');
  write('build/out.yaml');
  write('deploy/.gitignore', 'secret.yaml\n!keep.tmp.yaml\n');
  write('deploy/secret.yaml');
  write('deploy/keep.tmp.yaml');
  write('deploy/prod/svc.yml');
  write('other/secret.yaml');
  write('node_modules/pkg/x.yaml');
  write('.git/config.yaml');
  write('.github/workflows/ci.yml');
  write('charts/web/Chart.yaml', 'apiVersion: v2\nname: web\n');
  write('charts/web/values.yaml');
  write('charts/web/templates/deployment.yaml', 'image: {{ .Values.image }}\n');
  write('overlays/prod/kustomization.yaml');
  write('overlays/prod/patch.yaml');
  write('base/Kustomization');
  write('base/pod.yaml');
  write('with space/ünïcödé %20.yaml');
  write('odd/new\nline.yaml');
  mkdirSync(path.join(sandbox, 'outside'));
  writeFileSync(path.join(sandbox, 'outside', 'far.yaml'), 'a: 1\n');
  symlinkSync(path.join(sandbox, 'outside'), path.join(root, 'link-out'));
  symlinkSync(path.join(sandbox, 'outside', 'far.yaml'), path.join(root, 'far.yaml'));
  symlinkSync('..', path.join(root, 'deploy', 'prod', 'loop'));
  symlinkSync('deploy/prod', path.join(root, 'prod-link'));
  symlinkSync('nowhere.yaml', path.join(root, 'dangling.yaml'));
  write('ring/a/x.yaml');
  write('ring/b/y.yaml');
  symlinkSync('../b', path.join(root, 'ring', 'a', 'to-b'));
  symlinkSync('../a', path.join(root, 'ring', 'b', 'to-a'));
});

afterAll(() => rmSync(sandbox, { recursive: true, force: true }));

describe('walk', () => {
  it('finds candidate files, honours nested .gitignore files, and separates charts and kustomizations', async () => {
    const result = await scan();
    expect(result.manifests).toEqual([
      '.github/workflows/ci.yml',
      'app.yaml',
      'base/pod.yaml',
      'config.json',
      'deploy/keep.tmp.yaml', // un-ignored by deploy/.gitignore, which overrides the root one
      'deploy/prod/svc.yml',
      'odd/new\nline.yaml',
      'other/secret.yaml', // deploy/.gitignore does not reach other/
      'overlays/prod/patch.yaml',
      'prod-link/svc.yml', // a symlink inside the root is followed
      'ring/a/to-b/y.yaml',
      'ring/a/x.yaml',
      'ring/b/to-a/x.yaml',
      'ring/b/y.yaml',
      'with space/ünïcödé %20.yaml',
    ]);
    expect(result.charts).toEqual(['charts/web']);
    expect(result.kustomizations).toEqual(['base/Kustomization', 'overlays/prod/kustomization.yaml']);
  });

  it('does not follow symlinks out of the root or around a loop, and says so', async () => {
    const result = await scan();
    expect(reasons(result)).toEqual([
      'dangling.yaml: Not scanned: the symlink is broken.',
      'deploy/prod/loop: Not scanned: it is a symlink to a folder that contains it (a loop).',
      'far.yaml: Not scanned: it is a symlink to a file outside the scan root.',
      'link-out: Not scanned: it is a symlink to a folder outside the scan root.',
      'prod-link/loop: Not scanned: it is a symlink to a folder that contains it (a loop).',
      'ring/a/to-b/to-a: Not scanned: it is a symlink to a folder that contains it (a loop).',
      'ring/b/to-a/to-b: Not scanned: it is a symlink to a folder that contains it (a loop).',
    ]);
    expect(result.skipped.every((finding) => finding.rule === 'file-skipped' && finding.severity === 'notice')).toBe(true);
  });

  it('stops links that lead back and forth between two folders', async () => {
    const result = await scan({ paths: ['ring'] });
    expect(result.manifests).toEqual(['ring/a/to-b/y.yaml', 'ring/a/x.yaml', 'ring/b/to-a/x.yaml', 'ring/b/y.yaml']);
    expect(reasons(result)).toEqual([
      'ring/a/to-b/to-a: Not scanned: it is a symlink to a folder that contains it (a loop).',
      'ring/b/to-a/to-b: Not scanned: it is a symlink to a folder that contains it (a loop).',
    ]);
  });

  it('applies include and exclude globs to root-relative paths', async () => {
    const onlyDeploy = await scan({ include: ['deploy/**/*.yaml', 'deploy/**/*.yml'] });
    expect(onlyDeploy.manifests).toEqual(['deploy/keep.tmp.yaml', 'deploy/prod/svc.yml']);
    expect(onlyDeploy.charts).toEqual([]);
    const withoutProd = await scan({ exclude: ['**/prod/**', '**/*.json', 'prod-link'] });
    expect(withoutProd.manifests).not.toContain('deploy/prod/svc.yml');
    expect(withoutProd.manifests).not.toContain('config.json');
    expect(withoutProd.kustomizations).toEqual(['base/Kustomization']);
    expect(reasons(withoutProd).filter((reason) => reason.includes('prod'))).toEqual([]); // pruned, never reached
  });

  it('scans a file named explicitly even when .gitignore ignores it, but still applies include and exclude', async () => {
    const result = await scan({ paths: ['x.tmp.yaml', path.join(root, 'deploy/secret.yaml'), 'notes.md'] });
    expect(result.manifests).toEqual(['deploy/secret.yaml', 'x.tmp.yaml']);
    expect((await scan({ paths: ['x.tmp.yaml'], exclude: ['*.tmp.yaml'] })).manifests).toEqual([]);
  });

  it('walks a folder named explicitly even when .gitignore ignores it', async () => {
    expect((await scan({ paths: ['build'] })).manifests).toEqual(['build/out.yaml']);
  });

  it('maps a file inside a chart to its chart', async () => {
    const result = await scan({ paths: ['charts/web/templates/deployment.yaml'] });
    expect(result).toMatchObject({ manifests: [], charts: ['charts/web'] });
  });

  it('refuses paths outside the root, under node_modules, or missing, with a notice each', async () => {
    const result = await scan({ paths: ['../outside/far.yaml', 'node_modules/pkg/x.yaml', 'missing.yaml'] });
    expect(result.manifests).toEqual([]);
    expect(reasons(result)).toEqual([
      '../outside/far.yaml: Not scanned: the path is outside the scan root.',
      'node_modules/pkg/x.yaml: Not scanned: files under node_modules and .git are never scanned.',
      'missing.yaml: Not scanned: the path cannot be opened (it does not exist).',
    ]);
  });

  it.skipIf(process.getuid?.() === 0)('reports a folder it cannot read', async () => {
    const { chmodSync } = await import('node:fs');
    write('locked/inside.yaml');
    chmodSync(path.join(root, 'locked'), 0o000);
    try {
      const result = await scan({ paths: ['locked'] });
      expect(reasons(result)).toEqual(['locked: Not scanned: the folder cannot be read (permission denied).']);
    } finally {
      chmodSync(path.join(root, 'locked'), 0o755);
    }
  });
});
