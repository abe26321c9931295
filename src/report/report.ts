// The JSON report (version 1, documented in docs/report-format.md): the images with what their registry
// said and where each is used, the findings, and what was scanned. Every other output is a view of it.
import type { Evidence, Finding, ImageOccurrence, ImageStatus, Origin, Resolution, ScannedObject, Severity } from '../model.js';
import type { ImageReference } from '../reference/index.js';
import type { Suppression } from '../judge/ignore.js';
import type { QuotaReport } from '../judge/quota.js';

export type { QuotaIdentity, PullEstimate, QuotaReport } from '../judge/quota.js';
export type { Suppression } from '../judge/ignore.js';

export const REPORT_VERSION = 1;

export interface ReportOccurrence {
  file: string;
  line: number;
  column: number;
  endColumn: number;
  written: string;
  workload: string;
  container: string | null;
  origin: Origin;
}

export interface ReportImage {
  reference: string;
  registry: string;
  repository: string;
  tag: string | null;
  /** The digest the registry resolved (or the written one when the image was not checked). */
  digest: string | null;
  status: ImageStatus;
  mediaType: string | null;
  platforms: string[] | null;
  checkedAt: string | null;
  evidence: Evidence | null;
  occurrences: ReportOccurrence[];
}

export interface ReportFinding {
  rule: string;
  severity: Severity;
  message: string;
  file: string | null;
  line: number | null;
  column: number | null;
  endLine: number | null;
  endColumn: number | null;
  image: string | null;
  fix: { replacement: string } | null;
}

export interface Report {
  version: typeof REPORT_VERSION;
  summary: {
    files: number;
    documents: number;
    objects: number;
    occurrences: number;
    images: number;
    errors: number;
    warnings: number;
    notices: number;
    offline: boolean;
    durationMs: number;
  };
  images: ReportImage[];
  findings: ReportFinding[];
  objects: ScannedObject[];
  renders: { source: string; tool: string; durationMs: number; ok: boolean }[];
  /** Pull quotas the registries announced, per identity, and the rollout's estimated pulls; null when none did. */
  quota: QuotaReport | null;
  /** Findings an `ignore` entry or a `# pullcheck-ignore:` comment suppressed, with the reason given. */
  suppressed: Suppression[];
}

export interface ReportInput {
  files: number;
  documents: number;
  objects: ScannedObject[];
  references: { occurrence: ImageOccurrence; ref: ImageReference }[];
  occurrences: number;
  resolutions: Map<string, Resolution> | null;
  findings: Finding[];
  renders: Report['renders'];
  offline: boolean;
  durationMs: number;
  quota?: QuotaReport | null;
  suppressed?: Suppression[];
}

const SEVERITY_ORDER: Record<Severity, number> = { error: 0, warning: 1, notice: 2 };

export function compareFindings(a: Finding, b: Finding): number {
  return SEVERITY_ORDER[a.severity] - SEVERITY_ORDER[b.severity]
    || (a.range?.file ?? '').localeCompare(b.range?.file ?? '')
    || (a.range?.line ?? 0) - (b.range?.line ?? 0)
    || (a.range?.column ?? 0) - (b.range?.column ?? 0)
    || a.rule.localeCompare(b.rule);
}

export function buildReport(input: ReportInput): Report {
  const images = new Map<string, ReportImage>();
  for (const { occurrence, ref } of input.references) {
    let entry = images.get(ref.canonical);
    if (!entry) {
      const r = input.resolutions?.get(ref.canonical) ?? null;
      entry = {
        reference: ref.canonical,
        registry: ref.registry,
        repository: ref.repository,
        tag: ref.tag,
        digest: r?.digest ?? ref.digest,
        status: r?.status ?? 'unchecked',
        mediaType: r?.mediaType ?? null,
        platforms: r?.platforms ?? null,
        checkedAt: r?.checkedAt ?? null,
        evidence: r?.evidence ?? null,
        occurrences: [],
      };
      images.set(ref.canonical, entry);
    }
    const { range } = occurrence;
    entry.occurrences.push({
      file: range.file, line: range.line, column: range.column, endColumn: range.endColumn,
      written: occurrence.written, workload: occurrence.workload, container: occurrence.container, origin: occurrence.origin,
    });
  }
  const findings = [...input.findings].sort(compareFindings);
  const count = (s: Severity) => findings.filter((f) => f.severity === s).length;
  return {
    version: REPORT_VERSION,
    summary: {
      files: input.files,
      documents: input.documents,
      objects: input.objects.length,
      occurrences: input.occurrences,
      images: images.size,
      errors: count('error'),
      warnings: count('warning'),
      notices: count('notice'),
      offline: input.offline,
      durationMs: Math.round(input.durationMs),
    },
    images: [...images.values()].sort((a, b) => a.reference.localeCompare(b.reference)),
    findings: findings.map(toReportFinding),
    objects: input.objects,
    renders: input.renders,
    quota: input.quota ?? null,
    suppressed: input.suppressed ?? [],
  };
}

function toReportFinding(f: Finding): ReportFinding {
  return {
    rule: f.rule,
    severity: f.severity,
    message: f.message,
    file: f.range?.file ?? null,
    line: f.range?.line ?? null,
    column: f.range?.column ?? null,
    endLine: f.range?.endLine ?? null,
    endColumn: f.range?.endColumn ?? null,
    image: f.image,
    fix: f.fix,
  };
}

/** Exit status for the gate: does anything at or above `failOn` remain? */
export function failsGate(report: Report, failOn: 'error' | 'warning' | 'never'): boolean {
  if (failOn === 'never') return false;
  return report.summary.errors > 0 || (failOn === 'warning' && report.summary.warnings > 0);
}
