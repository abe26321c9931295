// What a pull request changes, from GitHub's list of its files (each with a unified-diff `patch`), and the
// filter modes built on it (the names reviewdog uses): `added` keeps findings on lines the pull request
// adds, `file` findings in files it touches, `nofilter` everything.
import { parsePatch } from 'diff';
import type { Report, ReportFinding } from './report.js';
import type { Octokit, PullRequest } from './github-client.js';

export type FilterMode = 'added' | 'file' | 'nofilter';
export const FILTER_MODES: readonly FilterMode[] = ['added', 'file', 'nofilter'];

export interface ChangedFile {
  /** Lines the pull request adds (new-file line numbers). */
  added: Set<number>;
  /** Every line inside a diff hunk on the new side (added or context) → its text: where a review comment may go. */
  hunkLines: Map<number, string>;
  /** False when GitHub sent no patch (binary or too large) or it did not parse: which lines changed is unknown. */
  linesKnown: boolean;
}

/** Keyed by the file's path in the pull request's head (the new name of a renamed file). */
export type ChangedFiles = Map<string, ChangedFile>;

/** The fields of a `pulls.listFiles` entry this reads. */
export interface PullRequestFile {
  filename: string;
  status: string;
  patch?: string;
}

/** GitHub lists at most this many files of a pull request; a longer list is cut short. */
const LIST_FILES_LIMIT = 3000;

/**
 * The pull request's changed files (paginated `pulls.listFiles`), or null when GitHub's list may be cut
 * short: filtering on an incomplete list would hide findings in the files left out.
 */
export async function fetchChangedFiles(octokit: Octokit, pr: PullRequest): Promise<ChangedFiles | null> {
  const files = await octokit.paginate(octokit.rest.pulls.listFiles, { owner: pr.owner, repo: pr.repo, pull_number: pr.number, per_page: 100 });
  return files.length >= LIST_FILES_LIMIT ? null : changedFiles(files);
}

export function changedFiles(files: readonly PullRequestFile[]): ChangedFiles {
  const result: ChangedFiles = new Map();
  for (const file of files) {
    if (file.status === 'removed') continue; // nothing of it is deployed any more
    result.set(file.filename, file.patch === undefined ? unknownLines() : parseHunks(file.patch));
  }
  return result;
}

function unknownLines(): ChangedFile {
  return { added: new Set(), hunkLines: new Map(), linesKnown: false };
}

function parseHunks(patch: string): ChangedFile {
  let parsed;
  try {
    parsed = parsePatch(patch);
  } catch {
    return unknownLines(); // a patch whose hunk counts do not add up: treat the whole file as changed
  }
  const changed: ChangedFile = { added: new Set(), hunkLines: new Map(), linesKnown: true };
  for (const hunk of parsed.flatMap((p) => p.hunks)) {
    let line = hunk.newStart;
    for (const text of hunk.lines) {
      const kind = text[0];
      if (kind === '-' || kind === '\\') continue; // removed lines and "\ No newline at end of file"
      if (kind === '+') changed.added.add(line);
      changed.hunkLines.set(line, text.slice(1));
      line++;
    }
  }
  return changed;
}

/**
 * Whether a finding stays under the filter mode. Findings about the run itself (no file) always stay: they
 * say something could not be verified, and hiding them would pass a gate that checked nothing. Where the
 * changed lines of a file are unknown, its findings stay too.
 */
export function keepFinding(f: ReportFinding, mode: FilterMode, changed: ChangedFiles): boolean {
  if (mode === 'nofilter' || f.file === null) return true;
  const file = changed.get(f.file);
  if (!file) return false;
  if (mode === 'file' || !file.linesKnown || f.line === null) return true;
  for (let line = f.line; line <= (f.endLine ?? f.line); line++) {
    if (file.added.has(line)) return true;
  }
  return false;
}

/** The report the gate, the annotations and the summary see: filtered findings, counts recomputed. */
export function filterReport(report: Report, mode: FilterMode, changed: ChangedFiles): Report {
  if (mode === 'nofilter') return report;
  const findings = report.findings.filter((f) => keepFinding(f, mode, changed));
  const count = (severity: ReportFinding['severity']) => findings.filter((f) => f.severity === severity).length;
  return { ...report, findings, summary: { ...report.summary, errors: count('error'), warnings: count('warning'), notices: count('notice') } };
}
