import { describe, expect, it } from 'vitest';
import { formatSummary, type SummaryContext } from '../../src/report/github-summary.js';
import type { ReportImage } from '../../src/report/report.js';
import { finding, reportOf } from './findings.js';

const context: SummaryContext = { failed: true, failOn: 'error', filterMode: 'nofilter', filteredOut: 0, notes: [], blobUrl: 'https://github.com/octo/app/blob/abc123/' };

function image(reference: string, over: Partial<ReportImage> = {}): ReportImage {
  return {
    reference, registry: 'docker.io', repository: 'library/nginx', tag: '1.25', digest: null, status: 'ok', mediaType: null,
    platforms: null, checkedAt: null, evidence: null,
    occurrences: [{ file: 'deploy/app.yaml', line: 3, column: 14, endColumn: 24, written: reference, workload: 'Deployment/web', container: 'web', origin: 'manifest' }],
    ...over,
  };
}

describe('job summary', () => {
  it('leads with the verdict and counts, then the problem images with where they are used and the fix', () => {
    const report = reportOf([
      finding({ rule: 'tag-not-found', severity: 'error', image: 'nginx:1.255', line: 3, message: 'library/nginx has no tag "1.255".', fix: { replacement: 'nginx:1.25' } }),
      finding({ rule: 'tag-not-found', severity: 'error', image: 'nginx:1.255', file: 'deploy/(other).yaml', line: 8, message: 'library/nginx has no tag "1.255".', fix: { replacement: 'nginx:1.25' } }),
      finding({ rule: 'unresolved-placeholder', severity: 'warning', image: '${IMAGE}', line: 9, message: 'The image contains the placeholder ${IMAGE}.' }),
    ]);
    const text = formatSummary(report, { ...context, filterMode: 'added', filteredOut: 2 });
    expect(text).toContain('## ❌ pullcheck failed');
    expect(text).toContain('**2 errors**, 1 warning, 0 notices on lines this pull request adds (2 more findings elsewhere, not counted: `filter-mode: added`) · fails on: error');
    expect(text).toContain('| ❌ | <code>nginx:1.255</code> | **tag-not-found**: library/nginx has no tag "1.255". | '
      + '[deploy/&#40;other&#41;.yaml:8](https://github.com/octo/app/blob/abc123/deploy/%28other%29.yaml#L8)<br>[deploy/app.yaml:3](https://github.com/octo/app/blob/abc123/deploy/app.yaml#L3) | use <code>nginx:1.25</code> |');
    expect(text).toContain('| ⚠️ | <code>&#36;{IMAGE}</code> | **unresolved-placeholder**: The image contains the placeholder &#36;{IMAGE}. |');
  });

  it('says pass when nothing fails the gate, and lists every checked image folded away', () => {
    const text = formatSummary(reportOf([], [image('docker.io/library/nginx:1.25', { digest: `sha256:${'ab'.repeat(32)}`, platforms: ['linux/amd64', 'linux/arm64'] })]), { ...context, failed: false });
    expect(text).toContain('## ✅ pullcheck passed');
    expect(text).not.toContain('### Problems');
    expect(text).toContain('<details><summary>All 1 checked image</summary>');
    expect(text).toContain('| <code>docker.io/library/nginx:1.25</code> | ok | <code>sha256:abababababab…</code> | linux/amd64, linux/arm64 | [deploy/app.yaml:3](https://github.com/octo/app/blob/abc123/deploy/app.yaml#L3) |');
    expect(text.trimEnd().endsWith('</details>')).toBe(true);
  });

  it('escapes Markdown and HTML in untrusted strings', () => {
    const evil = 'x</code><script>alert(1)</script>|**b**@team\n# head';
    const text = formatSummary(reportOf([finding({ rule: 'invalid-reference', severity: 'error', image: evil, message: evil, file: 'a|b.yaml' })]), { ...context, blobUrl: null });
    expect(text).not.toMatch(/<script>|<\/code><|@team|\*\*b\*\*/);
    expect(text).toContain('<code>x&#60;/code&#62;&#60;script&#62;alert&#40;1&#41;&#60;/script&#62;&#124;&#42;&#42;b&#42;&#42;&#64;team&#92;n&#35; head</code>');
    expect(text).toContain('| a&#124;b.yaml:1 |');
  });

  it('shows our notes as a quote', () => {
    expect(formatSummary(reportOf([]), { ...context, notes: ['First.', 'Second.'] })).toContain('> First.\n>\n> Second.');
  });

  it('stays under the size limit by cutting whole rows, closing the folded table and saying so', () => {
    const images = Array.from({ length: 400 }, (_, i) => image(`docker.io/library/app${i}:1.0`));
    const limit = 20_000;
    const text = formatSummary(reportOf([], images), { ...context, failed: false }, limit);
    expect(Buffer.byteLength(text)).toBeLessThanOrEqual(limit);
    expect(text).toContain('app10:1.0');
    expect(text).not.toContain('app399:1.0');
    expect(text).toMatch(/\| \[deploy\/app\.yaml:3\]\([^)]*\) \|\n\n<\/details>\n\n> \*\*This summary was cut\*\* at GitHub's 1 MiB limit/);
  });
});
