// Findings as GitHub workflow commands (`::error file=…,line=…::message` on stdout), which the runner turns
// into annotations on the pull request's "Files changed" tab. Used by the Action and by `--format github`.
//
// Written by hand rather than through @actions/core: its command writer is not exported, and the CLI must
// return text instead of writing to process.stdout. The escaping below is the toolkit's, character for
// character (actions/toolkit packages/core/src/command.ts); test/action/commands.test.ts checks it against
// @actions/core itself.
import type { Severity } from '../model.js';
import type { ReportFinding } from './report.js';
import { visible } from './sanitize.js';

type Properties = Record<string, string | number | undefined>;

/** The message part: the runner decodes %25, %0D and %0A back. */
export function escapeData(text: string): string {
  return text.replace(/%/g, '%25').replace(/\r/g, '%0D').replace(/\n/g, '%0A');
}

/** A property value: as data, plus `:` and `,`, which would end the value. */
export function escapeProperty(text: string): string {
  return escapeData(text).replace(/:/g, '%3A').replace(/,/g, '%2C');
}

/** One command line; properties that are undefined or empty are left out, as the toolkit does. */
export function workflowCommand(name: string, properties: Properties, message: string): string {
  const props = Object.entries(properties)
    .filter(([, value]) => value !== undefined && value !== '')
    .map(([key, value]) => `${key}=${escapeProperty(String(value))}`)
    .join(',');
  return `::${name}${props ? ` ${props}` : ''}::${escapeData(message)}`;
}

export interface AnnotationLimits {
  perLevel: number;
  perJob: number;
}

/**
 * How many annotations GitHub keeps: 10 of each level per step, 50 per job; it drops the rest silently.
 * (docs.github.com, "Workflow commands" → annotation limits; measured in shared/notes/registry-facts.md.)
 */
export const ANNOTATION_LIMITS: AnnotationLimits = { perLevel: 10, perJob: 50 };

const LEVELS: readonly Severity[] = ['error', 'warning', 'notice'];

/** A fix's replacement as a reader wants it: without the quotes it brings for a quoted scalar. */
export function shownReplacement(replacement: string): string {
  return replacement.replace(/^(["'])(.*)\1$/, '$2');
}

/** The annotation text: the message with control characters made visible, then the fix when there is one. */
export function annotationMessage(f: ReportFinding): string {
  const fix = f.fix ? `\nFix: use ${visible(shownReplacement(f.fix.replacement))}` : '';
  return `${visible(f.message)}${fix}`;
}

/** Workflow-command properties of a finding's location; columns only on a single line, as GitHub wants. */
function locationProperties(f: ReportFinding): Properties {
  if (f.file === null) return {};
  const endLine = f.endLine ?? f.line ?? undefined;
  const oneLine = f.line !== null && endLine === f.line;
  return {
    file: f.file,
    line: f.line ?? undefined,
    endLine: oneLine ? undefined : endLine,
    col: oneLine ? f.column ?? undefined : undefined,
    endColumn: oneLine ? f.endColumn ?? undefined : undefined,
  };
}

export interface AnnotationOptions {
  /** Where the full list is, for the closing notice: "the job summary lists them all". */
  seeAlso: string;
  /** Error annotations the caller writes itself after these (the Action's failure message). */
  reservedErrors?: number;
  limits?: AnnotationLimits;
}

/**
 * Annotation commands for the findings: errors first, then warnings, then notices, each level sorted by
 * file and line, stopping at GitHub's limits. When some are left out, one closing notice says how many and
 * where the full list is; that notice takes one notice slot itself.
 */
export function annotationCommands(findings: readonly ReportFinding[], options: AnnotationOptions): string[] {
  const limits = options.limits ?? ANNOTATION_LIMITS;
  const reservedErrors = options.reservedErrors ?? 0;
  const chosen: ReportFinding[] = [];
  let jobBudget = limits.perJob - reservedErrors;
  for (const level of LEVELS) {
    const ofLevel = findings.filter((f) => f.severity === level).sort(byLocation);
    const take = Math.min(ofLevel.length, limits.perLevel - (level === 'error' ? reservedErrors : 0), jobBudget);
    chosen.push(...ofLevel.slice(0, take));
    jobBudget -= take;
  }
  let omitted = findings.length - chosen.length;
  if (omitted > 0) {
    const notices = chosen.filter((f) => f.severity === 'notice').length;
    if (notices === limits.perLevel || jobBudget === 0) {
      chosen.pop(); // the last chosen is a notice when any was chosen: it makes room for the closing notice
      omitted++;
    }
  }
  const lines = chosen.map((f) => workflowCommand(f.severity, { title: f.rule, ...locationProperties(f) }, annotationMessage(f)));
  if (omitted > 0) {
    const what = `${omitted} more finding${omitted === 1 ? ' is' : 's are'} not shown as annotations`;
    lines.push(workflowCommand('notice', { title: 'pullcheck' }, `${what} (GitHub shows ${limits.perLevel} per level and step); ${options.seeAlso}.`));
  }
  return lines;
}

function byLocation(a: ReportFinding, b: ReportFinding): number {
  return (a.file ?? '').localeCompare(b.file ?? '') || (a.line ?? 0) - (b.line ?? 0) || (a.column ?? 0) - (b.column ?? 0);
}
