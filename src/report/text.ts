// Human output in the style of eslint's "stylish": findings grouped by file, aligned columns, the rule id
// last, a closing line with counts and time. Colour only when the caller says the stream is a TTY.
import type { Report, ReportFinding } from './report.js';
import { visible } from './sanitize.js';

const ANSI = { red: 31, yellow: 33, blue: 34, dim: 2, bold: 1, green: 32, underline: 4 } as const;

export function formatText(report: Report, options: { color: boolean; quiet?: boolean }): string {
  const paint = (style: keyof typeof ANSI, text: string) => (options.color ? `\u001b[${ANSI[style]}m${text}\u001b[0m` : text);
  const shown = options.quiet ? report.findings.filter((f) => f.severity === 'error') : report.findings;
  const groups = new Map<string, ReportFinding[]>();
  for (const f of shown) {
    const key = f.file ?? '';
    groups.set(key, [...(groups.get(key) ?? []), f]);
  }
  const lines: string[] = [];
  const severityStyle = { error: 'red', warning: 'yellow', notice: 'blue' } as const;
  // The report orders by severity; a reader of one file wants it top to bottom.
  for (const [file, unordered] of [...groups].sort(([a], [b]) => a.localeCompare(b))) {
    const findings = [...unordered].sort((a, b) => (a.line ?? 0) - (b.line ?? 0) || (a.column ?? 0) - (b.column ?? 0));
    lines.push(paint('underline', file ? shownPath(file) : '(run)'));
    const rows = findings.map((f) => [
      f.line === null ? '' : `${f.line}:${f.column ?? 0}`,
      f.severity,
      visible(f.message),
      f.rule,
    ]);
    const width = [0, 1].map((i) => Math.max(...rows.map((r) => r[i]!.length)));
    findings.forEach((f, i) => {
      const [where, severity, message, rule] = rows[i]!;
      lines.push(`  ${paint('dim', where!.padEnd(width[0]!))}  ${paint(severityStyle[f.severity], severity!.padEnd(width[1]!))}  ${message}  ${paint('dim', rule!)}`);
      if (f.fix) lines.push(`  ${' '.repeat(width[0]! + width[1]! + 2)}  ${paint('green', `fix: ${visible(f.fix.replacement)}`)}`);
    });
    lines.push('');
  }
  const suppressed = report.suppressed.length;
  if (suppressed > 0) lines.push(paint('dim', `${suppressed} finding${suppressed === 1 ? '' : 's'} suppressed by ignore entries or pullcheck-ignore comments (reasons in the JSON report)`));
  lines.push(summaryLine(report, paint));
  return lines.join('\n') + '\n';
}

/**
 * A file name heads a line of its own, and in a GitHub Actions log a line starting with `::` (after spaces)
 * is a workflow command: a name like `::stop-commands::x.yaml` is shown as `./::stop-commands::x.yaml`.
 */
function shownPath(file: string): string {
  const shown = visible(file);
  return /^\s*:/.test(shown) ? `./${shown}` : shown;
}

function summaryLine(report: Report, paint: (style: keyof typeof ANSI, text: string) => string): string {
  const s = report.summary;
  const plural = (n: number, word: string) => `${n} ${word}${n === 1 ? '' : 's'}`;
  const problems = s.errors + s.warnings;
  const pulling = report.images.filter((i) => i.status === 'ok').length;
  const checked = s.offline ? ' (offline: registries not checked)' : ` (${pulling} resolved ok)`;
  const scope = `${plural(s.images, 'image')}${s.images > 0 ? checked : ''} in ${plural(s.files, 'file')} · ${(s.durationMs / 1000).toFixed(1)} s`;
  const counts = `${plural(s.errors, 'error')}, ${plural(s.warnings, 'warning')}, ${plural(s.notices, 'notice')}`;
  if (problems === 0) return `${paint('green', '✔')} no problems (${counts}) · ${scope}`;
  return paint(s.errors > 0 ? 'red' : 'yellow', paint('bold', `✖ ${plural(problems, 'problem')} (${counts})`)) + ` · ${scope}`;
}
