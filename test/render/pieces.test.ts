// The small rules the tracing relies on, checked against what the real tools do.
import { describe, expect, it } from 'vitest';
import { stderrExcerpt } from '../../src/discover/render-process.js';
import { splitImage } from '../../src/discover/render-image.js';
import { applyEntry, imageMatches } from '../../src/discover/kustomize.js';
import { releaseName } from '../../src/discover/helm.js';
import type { ImagesEntry } from '../../src/discover/kustomize-tree.js';

const field = (value: string) => ({ value, range: { file: 'k.yaml', line: 1, column: 1, endLine: 1, endColumn: 1 } });
const entry = (name: string, set: { newName?: string; newTag?: string; digest?: string }): ImagesEntry => ({
  name,
  newName: set.newName ? field(set.newName) : null,
  newTag: set.newTag ? field(set.newTag) : null,
  digest: set.digest ? field(set.digest) : null,
});

describe('kustomize image rules (as measured with kustomize v5.5)', () => {
  it('splits after the registry, so a port is not a tag', () => {
    expect(splitImage('localhost:5000/app:1.0@sha256:ab')).toEqual({ name: 'localhost:5000/app', tag: '1.0', digest: 'sha256:ab' });
    expect(splitImage('app@sha256:ab')).toEqual({ name: 'app', tag: '', digest: 'sha256:ab' });
  });

  it('matches an entry name with any tag, or only its own tag when it has one', () => {
    expect(imageMatches('busybox:1.36', 'busybox')).toBe(true);
    expect(imageMatches('busybox:1.36', 'busybox:1.36')).toBe(true);
    expect(imageMatches('busybox:1.36', 'busybox:1.35')).toBe(false);
    expect(imageMatches('busyboxy:1', 'busybox')).toBe(false);
    expect(imageMatches('appXv1', 'app.v1')).toBe(false); // taken literally
  });

  it('replaces tag and digest together: a digest alone drops the tag, newTag with digest keeps both', () => {
    expect(applyEntry('app:1.0', entry('app', { digest: 'sha256:aa' }))).toBe('app@sha256:aa');
    expect(applyEntry('app:1.0', entry('app', { newTag: '3.0', digest: 'sha256:aa' }))).toBe('app:3.0@sha256:aa');
    expect(applyEntry('app@sha256:aa', entry('app', { newTag: '2' }))).toBe('app:2');
    expect(applyEntry('app:1.0', entry('app', { newName: 'ghcr.io/o/app' }))).toBe('ghcr.io/o/app:1.0');
  });
});

describe('tool output in messages', () => {
  it('keeps the first five lines, without colours, control characters or klog prefixes', () => {
    const stderr = '\u001b[31mError:\u001b[0m bad\u0007 thing\n\nE1125 03:53:20.563251    5478 run.go:72] "command failed"\n3\n4\n5\n6\n';
    expect(stderrExcerpt(stderr)).toBe('Error: bad  thing | "command failed" | 3 | 4 | 5');
  });
});

describe('default release names', () => {
  it('turns a folder name into a name helm accepts', () => {
    expect(releaseName('charts/My_Chart.v2')).toBe('my-chart-v2');
    expect(releaseName('')).toBe('release');
    expect(releaseName(`x/${'a'.repeat(60)}`)).toHaveLength(53);
  });
});
