// Hand-made findings and reports for the GitHub formatters' unit tests.
import { buildReport, type Report, type ReportFinding } from '../../src/report/report.js';
import type { Finding } from '../../src/model.js';

export function finding(over: Partial<ReportFinding> & Pick<ReportFinding, 'rule' | 'severity'>): ReportFinding {
  return {
    message: `${over.rule} message`,
    file: 'deploy/app.yaml',
    line: 1,
    column: 14,
    endLine: over.line ?? 1,
    endColumn: 20,
    image: null,
    fix: null,
    ...over,
  };
}

/** A report holding exactly these findings (as the pipeline would, sorted and counted). */
export function reportOf(findings: ReportFinding[], images: Report['images'] = []): Report {
  const asFindings: Finding[] = findings.map((f) => ({
    rule: f.rule,
    severity: f.severity,
    message: f.message,
    image: f.image,
    fix: f.fix,
    range: f.file === null ? null : { file: f.file, line: f.line ?? 1, column: f.column ?? 1, endLine: f.endLine ?? f.line ?? 1, endColumn: f.endColumn ?? 1 },
  }));
  const report = buildReport({ files: 1, documents: 1, objects: [], references: [], occurrences: images.length, resolutions: null, findings: asFindings, renders: [], offline: true, durationMs: 10 });
  return { ...report, images, summary: { ...report.summary, images: images.length } };
}
