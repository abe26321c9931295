import { afterEach, describe, expect, it, vi } from 'vitest';
import fc from 'fast-check';
import * as core from '@actions/core';
import { annotationCommands, workflowCommand } from '../../src/report/github-commands.js';
import { finding } from './findings.js';

/** What @actions/core itself prints for an annotation, without the line ending. */
function coreOutput(write: () => void): string {
  const spy = vi.spyOn(process.stdout, 'write').mockImplementation(() => true);
  try {
    write();
    return String(spy.mock.calls[0]?.[0] ?? '').replace(/\r?\n$/, '');
  } finally {
    spy.mockRestore();
  }
}

afterEach(() => vi.restoreAllMocks());

describe('workflow commands', () => {
  it('escapes properties and data exactly as @actions/core does', () => {
    const text = fc.string({ unit: fc.constantFrom('a', '%', '\r', '\n', ':', ',', '::', '=', ' ', 'é', '%0A') });
    fc.assert(fc.property(text.filter((s) => s !== ''), text, fc.integer({ min: 1, max: 9999 }), (file, message, line) => {
      const ours = workflowCommand('error', { title: 'tag-not-found', file, line, col: 3, endColumn: 9 }, message);
      const theirs = coreOutput(() => core.error(message, { title: 'tag-not-found', file, startLine: line, startColumn: 3, endColumn: 9 }));
      expect(ours).toBe(theirs);
    }));
  });

  it('keeps a hostile image string inside one annotation line', () => {
    const hostile = 'evil:1\n::set-output name=result::pass\r\n%0A::error::forged';
    const [line, ...rest] = annotationCommands([finding({ rule: 'invalid-reference', severity: 'error', file: 'a,b:c\n.yaml', message: `"${hostile}" is not valid`, image: hostile })], { seeAlso: 'see the summary' });
    expect(rest).toEqual([]);
    expect(line).not.toMatch(/[\r\n]/);
    expect(line!.startsWith('::error title=invalid-reference,file=a%2Cb%3Ac%0A.yaml,line=1,col=14,endColumn=20::')).toBe(true);
    // Control characters are shown as escapes and `%` is escaped, so the runner decodes no new line or command.
    expect(line).toContain('evil:1\\n::set-output name=result::pass\\r\\n%250A::error::forged');
  });

  it('gives columns only when the finding is on one line', () => {
    const [one, multi] = annotationCommands([
      finding({ rule: 'tag-not-found', severity: 'error', line: 4, endLine: 4 }),
      finding({ rule: 'tag-not-found', severity: 'error', line: 7, endLine: 9 }),
    ], { seeAlso: 'x' });
    expect(one).toBe('::error title=tag-not-found,file=deploy/app.yaml,line=4,col=14,endColumn=20::tag-not-found message');
    expect(multi).toBe('::error title=tag-not-found,file=deploy/app.yaml,line=7,endLine=9::tag-not-found message');
  });

  it('adds the fix to the message', () => {
    const [line] = annotationCommands([finding({ rule: 'deprecated-registry', severity: 'warning', fix: { replacement: 'registry.k8s.io/pause:3.9' } })], { seeAlso: 'x' });
    expect(line).toMatch(/::deprecated-registry message%0AFix: use registry\.k8s\.io\/pause:3\.9$/);
  });

  it('puts errors first, sorts by file, stops at 10 per level and closes with one notice', () => {
    const many = (severity: 'error' | 'warning' | 'notice', n: number) => Array.from({ length: n }, (_, i) => finding({ rule: 'r', severity, file: `f${String(n - i).padStart(2, '0')}.yaml` }));
    const lines = annotationCommands([...many('notice', 12), ...many('warning', 3), ...many('error', 14)], { seeAlso: 'the job summary lists them all' });
    const levels = lines.map((l) => l.slice(2, l.indexOf(' ')));
    // 10 errors, 3 warnings, 9 notices and the closing notice: 10 notices in all, GitHub's limit per step.
    expect(levels).toEqual([...Array(10).fill('error'), ...Array(3).fill('warning'), ...Array(10).fill('notice')]);
    expect(lines.slice(0, 10).map((l) => /file=(f\d+)/.exec(l)![1])).toEqual(['f01', 'f02', 'f03', 'f04', 'f05', 'f06', 'f07', 'f08', 'f09', 'f10']);
    expect(lines.at(-1)).toBe('::notice title=pullcheck::7 more findings are not shown as annotations (GitHub shows 10 per level and step); the job summary lists them all.');
  });

  it('respects the per-job limit', () => {
    const lines = annotationCommands(Array.from({ length: 8 }, () => finding({ rule: 'r', severity: 'error' })), { seeAlso: 'x', limits: { perLevel: 10, perJob: 5 } });
    expect(lines.filter((l) => l.startsWith('::error'))).toHaveLength(4);
    expect(lines.at(-1)).toContain('4 more findings');
  });

  it('keeps a slot for the failure message the caller adds', () => {
    const lines = annotationCommands(Array.from({ length: 12 }, () => finding({ rule: 'r', severity: 'error' })), { seeAlso: 'x', reservedErrors: 1 });
    expect(lines.filter((l) => l.startsWith('::error'))).toHaveLength(9);
    expect(lines.at(-1)).toContain('3 more findings');
  });

  it('adds no closing notice when everything fits', () => {
    const lines = annotationCommands(Array.from({ length: 10 }, () => finding({ rule: 'r', severity: 'notice' })), { seeAlso: 'x' });
    expect(lines).toHaveLength(10);
    expect(lines.every((l) => l.includes('title=r'))).toBe(true);
  });

  it('annotates a finding without a file at the run level', () => {
    expect(annotationCommands([finding({ rule: 'registry-unreachable', severity: 'error', file: null, line: null, column: null, endLine: null, endColumn: null })], { seeAlso: 'x' }))
      .toEqual(['::error title=registry-unreachable::registry-unreachable message']);
  });
});
