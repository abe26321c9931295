import { describe, expect, it } from 'vitest';
import { changedFiles, filterReport, keepFinding } from '../../src/report/github-diff.js';
import { finding, reportOf } from './findings.js';

// A GitHub `patch`: hunks only, no file header. New side: line 3 added, 4 context, 10–11 added, 12 context.
const PATCH = [
  '@@ -1,4 +1,4 @@',
  ' apiVersion: apps/v1',
  ' kind: Deployment',
  '-  image: old:1',
  '+        image: nginx:1.255',
  '         name: web',
  '@@ -9,2 +9,4 @@ spec:',
  ' a',
  '+b',
  '+c',
  ' d',
  '\\ No newline at end of file',
].join('\n');

describe('changed files', () => {
  const changed = changedFiles([
    { filename: 'deploy/app.yaml', status: 'modified', patch: PATCH },
    { filename: 'deploy/huge.yaml', status: 'modified' },
    { filename: 'deploy/gone.yaml', status: 'removed', patch: '@@ -1 +0,0 @@\n-x' },
    { filename: 'deploy/broken.yaml', status: 'modified', patch: '@@ -1,1 +1,5 @@\n+only one line' },
  ]);

  it('knows the added lines and the text of every new-side line in a hunk', () => {
    const app = changed.get('deploy/app.yaml')!;
    expect([...app.added].sort((a, b) => a - b)).toEqual([3, 10, 11]);
    expect([...app.hunkLines.keys()]).toEqual([1, 2, 3, 4, 9, 10, 11, 12]);
    expect(app.hunkLines.get(3)).toBe('        image: nginx:1.255');
  });

  it('treats a file without a usable patch as changed everywhere, and drops removed files', () => {
    expect(changed.get('deploy/huge.yaml')?.linesKnown).toBe(false);
    expect(changed.get('deploy/broken.yaml')?.linesKnown).toBe(false);
    expect(changed.has('deploy/gone.yaml')).toBe(false);
  });

  it('keeps findings by mode: added lines, touched files, or everything', () => {
    const onAdded = finding({ rule: 'tag-not-found', severity: 'error', line: 3 });
    const onContext = finding({ rule: 'tag-not-found', severity: 'error', line: 4 });
    const elsewhere = finding({ rule: 'tag-not-found', severity: 'error', file: 'other.yaml', line: 3 });
    const unknownLines = finding({ rule: 'tag-not-found', severity: 'error', file: 'deploy/huge.yaml', line: 500 });
    const runLevel = finding({ rule: 'registry-unreachable', severity: 'error', file: null, line: null });
    const spanning = finding({ rule: 'manifest-invalid', severity: 'error', line: 8, endLine: 10 });
    const keep = (mode: 'added' | 'file' | 'nofilter') => [onAdded, onContext, elsewhere, unknownLines, runLevel, spanning].map((f) => keepFinding(f, mode, changed));
    expect(keep('added')).toEqual([true, false, false, true, true, true]);
    expect(keep('file')).toEqual([true, true, false, true, true, true]);
    expect(keep('nofilter')).toEqual([true, true, true, true, true, true]);
  });

  it('recounts the summary after filtering', () => {
    const report = reportOf([
      finding({ rule: 'tag-not-found', severity: 'error', line: 3 }),
      finding({ rule: 'tag-not-found', severity: 'error', line: 4 }),
      finding({ rule: 'latest-tag', severity: 'notice', line: 10 }),
    ]);
    const shown = filterReport(report, 'added', changed);
    expect(shown.findings.map((f) => f.line)).toEqual([3, 10]);
    expect(shown.summary).toMatchObject({ errors: 1, warnings: 0, notices: 1 });
    expect(report.summary.errors).toBe(2);
  });
});
