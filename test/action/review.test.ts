import { describe, expect, it } from 'vitest';
import { changedFiles } from '../../src/report/github-diff.js';
import { fingerprint, postedFingerprints, reviewComments, suggestionLine, type LineReader } from '../../src/report/github-review.js';
import { finding } from './findings.js';

describe('suggestion line', () => {
  /** A finding whose range is `rangeText` at `column` of the line, with the fix the pipeline fitted to it. */
  const at = (line: string, rangeText: string, image: string, replacement: string) => {
    const column = line.indexOf(rangeText) + 1;
    return finding({ rule: 'tag-not-found', severity: 'error', image, fix: { replacement }, column, endColumn: column + rangeText.length });
  };

  it('replaces the range and keeps indentation, key and comment', () => {
    const line = '        image: nginx:1.255  # web';
    expect(suggestionLine(line, at(line, 'nginx:1.255', 'nginx:1.255', 'nginx:1.25'))).toBe('        image: nginx:1.25  # web');
  });

  it('keeps the quotes a quoted scalar had (the fix brings them)', () => {
    const line = '  - image: "k8s.gcr.io/pause:3.9"';
    expect(suggestionLine(line, at(line, '"k8s.gcr.io/pause:3.9"', 'k8s.gcr.io/pause:3.9', '"registry.k8s.io/pause:3.9"'))).toBe('  - image: "registry.k8s.io/pause:3.9"');
  });

  it('replaces only the part of the image a values file or kustomization holds', () => {
    const line = "  tag: '2.1.0'";
    expect(suggestionLine(line, at(line, "'2.1.0'", 'registry.local/worker:2.1.0', "'2.0.9'"))).toBe("  tag: '2.0.9'");
  });

  it('offers nothing when the range does not hold a part of the image, spans lines, or the fix would need quoting', () => {
    const template = 'image: {{ .Values.image }}';
    expect(suggestionLine(template, at(template, '{{ .Values.image }}', 'nginx:1.255', 'nginx:1.25'))).toBeNull();
    const line = 'image: nginx:1.255';
    expect(suggestionLine(line, { ...at(line, 'nginx:1.255', 'nginx:1.255', 'nginx:1.25'), endLine: 2 })).toBeNull();
    expect(suggestionLine(line, { ...at(line, 'nginx:1.255', 'nginx:1.255', 'nginx:1.25'), endColumn: 99 })).toBeNull();
    expect(suggestionLine(line, at(line, 'nginx:1.255', 'nginx:1.255', 'nginx: 1.25 #'))).toBeNull();
    expect(suggestionLine(line, at(line, 'nginx:1.255', 'nginx:1.255', '"nginx:1.25'))).toBeNull();
  });
});

describe('review comments', () => {
  const patch = ['@@ -1,2 +1,4 @@', ' spec:', '+  image: nginx:1.255', '+  other: Nginx:1.25', '   name: web'].join('\n');
  const changed = changedFiles([{ filename: 'app.yaml', status: 'modified', patch }]);
  const workspace: Record<string, string[]> = { 'app.yaml': ['spec:', '  image: nginx:1.255', '  other: Nginx:1.25', '  name: web', '  image: nginx:1.255'] };
  const readLine: LineReader = (file, line) => workspace[file]?.[line - 1] ?? null;
  const tagMissing = (line: number) => finding({ rule: 'tag-not-found', severity: 'error', file: 'app.yaml', line, endLine: line, column: 10, endColumn: 21, image: 'nginx:1.255', message: 'library/nginx has no tag "1.255".', fix: { replacement: 'nginx:1.25' } });

  it('comments only on lines inside the hunks, with the problem, the fix, a suggestion and a fingerprint', () => {
    const outside = finding({ rule: 'latest-tag', severity: 'notice', file: 'app.yaml', line: 9, image: 'x:latest' });
    const comments = reviewComments([tagMissing(2), outside], changed, readLine, new Set());
    expect(comments).toHaveLength(1);
    expect(comments[0]).toMatchObject({ path: 'app.yaml', line: 2, side: 'RIGHT' });
    expect(comments[0]!.body).toBe([
      '❌ **pullcheck · tag-not-found** (error)',
      'library/nginx has no tag "1.255".',
      '**Fix:** use <code>nginx:1.25</code>.',
      '```suggestion\n  image: nginx:1.25\n```',
      `<!-- pullcheck:${fingerprint(tagMissing(2))} -->`,
    ].join('\n\n'));
  });

  it('posts one comment per rule, file and image, naming the other lines', () => {
    const twoInHunk = reviewComments([tagMissing(2), tagMissing(3)], changed, readLine, new Set());
    expect(twoInHunk).toHaveLength(1);
    expect(twoInHunk[0]!.body).toContain('The same image is also on line 3 of this file.');
  });

  it('skips what was posted before, found in the earlier comments\' bodies', () => {
    const earlier = reviewComments([tagMissing(2)], changed, readLine, new Set())[0]!.body;
    const posted = postedFingerprints([earlier, null, 'an unrelated comment <!-- pullcheck:nothex -->']);
    expect(posted).toEqual(new Set([fingerprint(tagMissing(2))]));
    expect(reviewComments([tagMissing(2)], changed, readLine, posted)).toEqual([]);
  });

  it('does not comment where the workspace differs from the pull request head', () => {
    expect(reviewComments([tagMissing(2)], changed, () => '  image: nginx:1.999', new Set())).toEqual([]);
  });

  it('makes untrusted text inert and keeps a suggestion fence unbroken by backticks in the line', () => {
    const hostile = finding({ rule: 'invalid-reference', severity: 'error', file: 'app.yaml', line: 3, image: 'Nginx:1.25', message: '"Nginx:1.25" @admin <img src=x> ![x](http://e) | `x`', fix: { replacement: 'nginx:1.25' }, column: 10, endColumn: 20 });
    const [comment] = reviewComments([hostile], changed, (_f, l) => (l === 3 ? '  other: Nginx:1.25 # ````' : null), new Set());
    // The workspace line differs from the head's, so nothing is posted; with the head's text it is:
    expect(comment).toBeUndefined();
    const headLine = changedFiles([{ filename: 'app.yaml', status: 'modified', patch: '@@ -0,0 +3,1 @@\n+  other: Nginx:1.25 # ````' }]);
    const [posted] = reviewComments([hostile], headLine, () => '  other: Nginx:1.25 # ````', new Set());
    expect(posted!.body).toContain('"Nginx:1.25" &#64;admin &#60;img src=x&#62; &#33;&#91;x&#93;&#40;http://e&#41; &#124; &#96;x&#96;');
    expect(posted!.body).toContain('`````suggestion\n  other: nginx:1.25 # ````\n`````');
  });
});
