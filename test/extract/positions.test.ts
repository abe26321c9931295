// Exact positions of images: 1-based line and column, endColumn one past the end; a quoted scalar's range
// includes its quotes. `written` is the scalar's value.
import { describe, expect, it } from 'vitest';
import { extractManifests } from '../../src/extract/index.js';

const HEAD = 'apiVersion: v1\nkind: Pod\nmetadata:\n  name: p\nspec:\n  containers:\n';

function images(text: string): { written: string; container: string | null; at: string }[] {
  const result = extractManifests(text, 'pod.yaml', 'manifest');
  expect(result.findings).toEqual([]);
  return result.occurrences.map(({ written, container, range }) => ({
    written,
    container,
    at: `${range.line}:${range.column}-${range.endLine}:${range.endColumn}`,
  }));
}

describe('image positions', () => {
  it('plain scalar, with a comment after it', () => {
    expect(images(`${HEAD}    - name: a\n      image: nginx:1.25   # pinned\n`)).toEqual([
      { written: 'nginx:1.25', container: 'a', at: '8:14-8:24' },
    ]);
  });

  it('single-quoted scalar: the range covers the quotes', () => {
    expect(images(`${HEAD}    - name: a\n      image: 'nginx:1.25'\n`)).toEqual([
      { written: 'nginx:1.25', container: 'a', at: '8:14-8:26' },
    ]);
  });

  it('double-quoted scalar with an escape: written is the value, the range is the source', () => {
    expect(images(`${HEAD}    - name: a\n      image: "nginx:\\u0031.25"\n`)).toEqual([
      { written: 'nginx:1.25', container: 'a', at: '8:14-8:31' },
    ]);
  });

  it('flow style', () => {
    const text = 'apiVersion: v1\nkind: Pod\nmetadata: {name: p}\nspec:\n  containers: [{name: a, image: "nginx:1.25"}]\n';
    expect(images(text)).toEqual([{ written: 'nginx:1.25', container: 'a', at: '5:33-5:45' }]);
  });

  it('JSON', () => {
    const text = [
      '{',
      '  "apiVersion": "v1",',
      '  "kind": "Pod",',
      '  "metadata": {"name": "p"},',
      '  "spec": {"containers": [{"name": "a", "image": "nginx:1.25"}]}',
      '}',
    ].join('\n');
    expect(images(text)).toEqual([{ written: 'nginx:1.25', container: 'a', at: '5:50-5:62' }]);
  });

  it('CRLF line ends change no column', () => {
    const text = `${HEAD}    - name: a\n      image: nginx:1.25\n`.replaceAll('\n', '\r\n');
    expect(images(text)).toEqual([{ written: 'nginx:1.25', container: 'a', at: '8:14-8:24' }]);
  });

  it('a byte order mark is not a column', () => {
    expect(images(`\uFEFF${HEAD}    - name: a\n      image: nginx:1.25\n`)).toEqual([
      { written: 'nginx:1.25', container: 'a', at: '8:14-8:24' },
    ]);
  });

  it('an alias points at the anchored scalar, the text a user edits', () => {
    const text = `${HEAD}    - name: a\n      image: &img nginx:1.25\n    - name: b\n      image: *img\n`;
    expect(images(text)).toEqual([
      { written: 'nginx:1.25', container: 'a', at: '8:19-8:29' },
      { written: 'nginx:1.25', container: 'b', at: '8:19-8:29' },
    ]);
  });

  it('merge keys: a merged image points into the merged mapping; an explicit key wins', () => {
    const text =
      `${HEAD}    - &base\n      name: a\n      image: nginx:1.25\n` +
      '    - <<: *base\n      name: b\n' +
      '    - <<: *base\n      name: c\n      image: redis:7\n';
    expect(images(text)).toEqual([
      { written: 'nginx:1.25', container: 'a', at: '9:14-9:24' },
      { written: 'nginx:1.25', container: 'b', at: '9:14-9:24' },
      { written: 'redis:7', container: 'c', at: '14:14-14:21' },
    ]);
  });

  it('a block scalar is positioned at its indicator', () => {
    expect(images(`${HEAD}    - name: a\n      image: >-\n        nginx:1.25\n`)).toEqual([
      { written: 'nginx:1.25', container: 'a', at: '8:14-8:15' },
    ]);
  });

  it('lines count from the start of the file in later documents', () => {
    const text = `# first\n---\n${HEAD}    - name: a\n      image: nginx:1.25\n---\n${HEAD}    - name: b\n      image: redis:7\n`;
    expect(images(text)).toEqual([
      { written: 'nginx:1.25', container: 'a', at: '10:14-10:24' },
      { written: 'redis:7', container: 'b', at: '19:14-19:21' },
    ]);
  });
});
