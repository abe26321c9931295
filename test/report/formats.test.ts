import { describe, expect, it } from 'vitest';
import { buildReport, failsGate } from '../../src/report/report.js';
import { formatText } from '../../src/report/text.js';
import { formatSarif } from '../../src/report/sarif.js';
import type { Finding } from '../../src/model.js';

function finding(rule: string, severity: Finding['severity'], file: string | null, line: number, image: string | null, replacement?: string): Finding {
  return {
    rule, severity, message: `${rule} message`, image,
    range: file === null ? null : { file, line, column: 14, endLine: line, endColumn: 14 + (image?.length ?? 1) + 2 },
    fix: replacement ? { replacement } : null,
  };
}

function report(findings: Finding[]) {
  return buildReport({
    files: 2, documents: 3, objects: [], references: [], occurrences: 4, resolutions: null,
    findings, renders: [], offline: true, durationMs: 1234,
  });
}

describe('report', () => {
  it('orders findings errors first, then by file and line, and counts them', () => {
    const r = report([
      finding('latest-tag', 'notice', 'a.yaml', 1, 'x:latest'),
      finding('tag-not-found', 'error', 'b.yaml', 9, 'y:1'),
      finding('tag-not-found', 'error', 'b.yaml', 3, 'y:2'),
      finding('unresolved-placeholder', 'warning', 'a.yaml', 5, '$X'),
    ]);
    expect(r.findings.map((f) => `${f.severity} ${f.file}:${f.line}`)).toEqual(['error b.yaml:3', 'error b.yaml:9', 'warning a.yaml:5', 'notice a.yaml:1']);
    expect(r.summary).toMatchObject({ errors: 2, warnings: 1, notices: 1, files: 2, occurrences: 4, offline: true, durationMs: 1234 });
  });

  it('fails the gate at or above the threshold only', () => {
    const warnings = report([finding('unresolved-placeholder', 'warning', 'a.yaml', 1, '$X')]);
    expect(failsGate(warnings, 'error')).toBe(false);
    expect(failsGate(warnings, 'warning')).toBe(true);
    expect(failsGate(report([finding('tag-not-found', 'error', 'a.yaml', 1, 'a:1')]), 'never')).toBe(false);
  });
});

describe('text output', () => {
  it('groups by file, top to bottom, aligns columns and ends with the counts', () => {
    const text = formatText(report([
      finding('tag-not-found', 'error', 'deploy/a.yaml', 12, 'nginx:1.255', 'nginx:1.25'),
      finding('latest-tag', 'notice', 'deploy/a.yaml', 3, 'redis:latest'),
    ]), { color: false });
    expect(text).toBe([
      'deploy/a.yaml',
      '  3:14   notice  latest-tag message  latest-tag',
      '  12:14  error   tag-not-found message  tag-not-found',
      '                 fix: nginx:1.25',
      '',
      '✖ 1 problem (1 error, 0 warnings, 1 notice) · 0 images in 2 files · 1.2 s',
      '',
    ].join('\n'));
  });

  it('uses colour only when asked (a TTY)', () => {
    const r = report([finding('tag-not-found', 'error', 'a.yaml', 1, 'a:1')]);
    expect(formatText(r, { color: true })).toContain('\u001b[31m');
    expect(formatText(r, { color: false })).not.toContain('\u001b[');
  });

  it('cannot be used to repaint the terminal or forge lines: control characters are made visible', () => {
    const f = finding('invalid-reference', 'error', 'evil\u001b[2J.yaml', 1, 'x');
    f.message = 'image "a\nb\u001b]0;owned\u0007" is bad';
    const text = formatText(report([f]), { color: false });
    expect(text).not.toContain('\u001b');
    expect(text).not.toContain('\u0007');
    expect(text).toContain('image "a\\nb\\u001b]0;owned\\u0007" is bad');
  });

  it('says so when there is nothing to report', () => {
    expect(formatText(report([]), { color: false })).toMatch(/^✔ no problems \(0 errors, 0 warnings, 0 notices\)/);
  });
});

describe('SARIF', () => {
  it('is SARIF 2.1.0 with one rule per id, exact regions, levels, fingerprints and fixes', () => {
    const sarif = formatSarif(report([
      finding('tag-not-found', 'error', 'dir with space/a%.yaml', 12, 'nginx:1.255', '"nginx:1.25"'),
      finding('latest-tag', 'notice', 'b.yaml', 2, 'x:latest'),
    ]), '9.9.9');
    expect(sarif.version).toBe('2.1.0');
    const run = sarif.runs[0]!;
    expect(run.tool.driver).toMatchObject({ name: 'pullcheck', version: '9.9.9' });
    const ruleIds = run.tool.driver.rules!.map((r) => r.id);
    expect(new Set(ruleIds).size).toBe(ruleIds.length);
    const [error, note] = run.results!;
    expect(error).toMatchObject({ ruleId: 'tag-not-found', level: 'error', ruleIndex: ruleIds.indexOf('tag-not-found') });
    expect(error!.locations![0]!.physicalLocation).toEqual({
      artifactLocation: { uri: 'dir%20with%20space/a%25.yaml', uriBaseId: '%SRCROOT%' },
      region: { startLine: 12, startColumn: 14, endLine: 12, endColumn: 27 },
    });
    expect(error!.fixes![0]!.artifactChanges[0]!.replacements[0]!.insertedContent).toEqual({ text: '"nginx:1.25"' });
    expect(note!.level).toBe('note');
    expect(error!.partialFingerprints!['pullcheck/v1']).toMatch(/^[0-9a-f]{32}$/);
    expect(error!.partialFingerprints!['pullcheck/v1']).not.toBe(note!.partialFingerprints!['pullcheck/v1']);
  });
});

describe('text output with suppressions', () => {
  it('says how many findings were suppressed, so a silenced problem is never invisible', () => {
    const r = report([]);
    r.suppressed = [{ rule: 'latest-tag', file: 'a.yaml', line: 3, image: 'x:latest', reason: 'dev only', by: 'comment' }];
    expect(formatText(r, { color: false })).toContain('1 finding suppressed by ignore entries or pullcheck-ignore comments');
  });
});
