// Review comments on the pull request: one comment per problem on a line inside the diff, saying what is
// wrong and how to fix it, with a ```suggestion the author can commit when the finding has a replacement.
// Each comment carries a hidden fingerprint so a re-run posts only what is new.
import { createHash } from 'node:crypto';
import { RULES } from '../judge/rules.js';
import { shownReplacement } from './github-commands.js';
import type { ChangedFiles } from './github-diff.js';
import { isNotPermitted, type Octokit, type PullRequest } from './github-client.js';
import { fencedBlock, markdownCode, markdownText } from './github-markdown.js';
import type { ReportFinding } from './report.js';

export interface ReviewComment {
  path: string;
  line: number;
  side: 'RIGHT';
  body: string;
}

/** Reads one line (1-based) of a file in the workspace; null when the file or line is not there. */
export type LineReader = (file: string, line: number) => string | null;

const FINGERPRINT = /<!-- pullcheck:([0-9a-f]{16}) -->/g;

/** Comments per review: a pull request that touches hundreds of images gets the worst first, not a wall. */
export const MAX_REVIEW_COMMENTS = 50;

/** `left`: new comments beyond MAX_REVIEW_COMMENTS, for a later run. */
export type ReviewOutcome = { posted: number; left: number } | { notPermitted: true };

/**
 * Posts one review (event COMMENT) holding the comments not posted before; nothing when there is nothing
 * new. A refusal (no `pull-requests: write`) is `{notPermitted: true}`; other failures throw.
 */
export async function postReview(octokit: Octokit, pr: PullRequest, findings: readonly ReportFinding[], changed: ChangedFiles, readLine: LineReader): Promise<ReviewOutcome> {
  const where = { owner: pr.owner, repo: pr.repo, pull_number: pr.number };
  try {
    const existing = await octokit.paginate(octokit.rest.pulls.listReviewComments, { ...where, per_page: 100 });
    const all = reviewComments(findings, changed, readLine, postedFingerprints(existing.map((c) => c.body)));
    const comments = all.slice(0, MAX_REVIEW_COMMENTS); // findings come worst first
    if (comments.length === 0) return { posted: 0, left: 0 };
    const problems = `${comments.length} problem${comments.length === 1 ? '' : 's'}`;
    await octokit.rest.pulls.createReview({
      ...where,
      commit_id: pr.headSha,
      event: 'COMMENT',
      body: `**pullcheck** found ${problems} on lines this pull request changes; the job summary lists everything it checked.`,
      comments,
    });
    return { posted: comments.length, left: all.length - comments.length };
  } catch (error) {
    if (isNotPermitted(error)) return { notPermitted: true };
    throw error;
  }
}

/** Stable across line moves and re-runs: the rule, the file and the image identify the problem. */
export function fingerprint(f: ReportFinding): string {
  return createHash('sha256').update(`${f.rule}\0${f.file ?? ''}\0${f.image ?? ''}`).digest('hex').slice(0, 16);
}

/** The fingerprints already posted, from the bodies of the pull request's review comments. */
export function postedFingerprints(bodies: readonly (string | null | undefined)[]): Set<string> {
  return new Set(bodies.flatMap((body) => [...(body ?? '').matchAll(FINGERPRINT)].map((m) => m[1]!)));
}

/**
 * Comments for the findings on lines inside the diff hunks, skipping fingerprints already posted. A line is
 * commented only when the workspace holds the same text there as the pull request's head (the merge commit
 * a pull_request run checks out can differ): otherwise the comment could land on, or suggest, the wrong line.
 */
export function reviewComments(findings: readonly ReportFinding[], changed: ChangedFiles, readLine: LineReader, posted: ReadonlySet<string>): ReviewComment[] {
  const groups = new Map<string, ReportFinding[]>();
  for (const f of findings) {
    if (f.file === null || f.line === null) continue;
    const headText = changed.get(f.file)?.hunkLines.get(f.line);
    if (headText === undefined || !sameLine(readLine(f.file, f.line), headText)) continue;
    const key = fingerprint(f);
    if (posted.has(key)) continue;
    groups.set(key, [...(groups.get(key) ?? []), f]);
  }
  return [...groups].map(([key, [first, ...others]]) => ({
    path: first!.file!,
    line: first!.line!,
    side: 'RIGHT' as const,
    body: commentBody(first!, others.map((o) => o.line!), readLine(first!.file!, first!.line!)!, key),
  }));
}

function sameLine(workspace: string | null, head: string): boolean {
  return workspace !== null && workspace.replace(/\r$/, '') === head.replace(/\r$/, '');
}

function commentBody(f: ReportFinding, alsoOnLines: number[], lineText: string, key: string): string {
  const icon = { error: '❌', warning: '⚠️', notice: 'ℹ️' }[f.severity];
  const parts = [`${icon} **pullcheck · ${f.rule}** (${f.severity})`, markdownText(f.message)];
  if (alsoOnLines.length > 0) parts.push(`The same image is also on line${alsoOnLines.length === 1 ? '' : 's'} ${alsoOnLines.join(', ')} of this file.`);
  const suggested = f.fix ? suggestionLine(lineText, f) : null;
  if (f.fix) parts.push(`**Fix:** use ${markdownCode(shownReplacement(f.fix.replacement))}.`);
  else parts.push(`**Fix:** ${RULES.get(f.rule)?.fix ?? 'see the rule in docs/rules.md.'}`);
  if (suggested !== null) parts.push(fencedBlock('suggestion', suggested.replace(/\r$/, '')));
  parts.push(`<!-- pullcheck:${key} -->`);
  return parts.join('\n\n');
}

/** A reference, or a part of one, bare or in matching quotes: needs no escaping in any YAML scalar style. */
const REFERENCE_TEXT = /^(["']?)[A-Za-z0-9][A-Za-z0-9._\-/:@]*\1$/;

/**
 * The line with the finding's range replaced by the fix, which the pipeline fitted to exactly that text
 * (quotes included): indentation, key and comments stay. Null when the finding spans lines, the range is
 * not on the line, or its text is not a part of the image (a wrong suggestion is worse than none).
 */
export function suggestionLine(lineText: string, f: ReportFinding): string | null {
  const replacement = f.fix?.replacement;
  if (!replacement || !REFERENCE_TEXT.test(replacement) || f.image === null) return null;
  if (f.column === null || f.endColumn === null || (f.endLine !== null && f.endLine !== f.line)) return null;
  const start = f.column - 1;
  const end = f.endColumn - 1;
  if (start < 0 || end > lineText.length || end <= start) return null;
  const scalar = lineText.slice(start, end).replace(/^(["'])(.*)\1$/, '$2');
  if (scalar === '' || !f.image.includes(scalar)) return null;
  return lineText.slice(0, start) + replacement + lineText.slice(end);
}
