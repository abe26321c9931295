// Annotations through the Checks API: a check run named "pullcheck" on the head commit, its annotations sent
// 50 per request (the API's limit), so none is dropped, unlike workflow commands (10 per level and step).
import type { ReportFinding } from './report.js';
import { annotationMessage } from './github-commands.js';
import { isNotPermitted, type Octokit, type Repository } from './github-client.js';

export const CHECK_RUN_NAME = 'pullcheck';
/** Annotations the Checks API takes per create or update request. */
export const ANNOTATIONS_PER_REQUEST = 50;

export interface CheckRunResult {
  conclusion: 'success' | 'failure' | 'neutral';
  /** Short line shown as the check run's title, e.g. "2 errors, 1 warning". */
  title: string;
  /** Markdown shown on the check run's page. */
  summary: string;
}

export type CheckRunOutcome =
  | { published: true; url: string | null; annotations: number }
  /** The token may not write checks: annotate with workflow commands instead. */
  | { published: false };

const LEVEL = { error: 'failure', warning: 'warning', notice: 'notice' } as const;

/** Findings the Checks API can place: those with a file and a line. The others stay workflow commands. */
export function checkAnnotatable(f: ReportFinding): boolean {
  return f.file !== null && f.line !== null;
}

function toAnnotation(f: ReportFinding) {
  const endLine = f.endLine ?? f.line!;
  const oneLine = endLine === f.line;
  return {
    path: f.file!,
    start_line: f.line!,
    end_line: endLine,
    // The API accepts columns only on a single line.
    ...(oneLine && f.column !== null ? { start_column: f.column } : {}),
    ...(oneLine && f.endColumn !== null ? { end_column: f.endColumn } : {}),
    annotation_level: LEVEL[f.severity],
    title: f.rule,
    message: annotationMessage(f),
  };
}

/**
 * Creates the check run (a refusal here means no permission: `{published: false}`), then sends the
 * annotations in batches; the last request completes the run with its conclusion. Other failures throw.
 */
export async function publishCheckRun(octokit: Octokit, target: Repository & { headSha: string }, findings: readonly ReportFinding[], result: CheckRunResult): Promise<CheckRunOutcome> {
  let created;
  try {
    created = await octokit.rest.checks.create({ owner: target.owner, repo: target.repo, name: CHECK_RUN_NAME, head_sha: target.headSha, status: 'in_progress' });
  } catch (error) {
    if (isNotPermitted(error)) return { published: false };
    throw error;
  }
  const annotations = findings.filter(checkAnnotatable).map(toAnnotation);
  const batches = annotations.length === 0 ? 1 : Math.ceil(annotations.length / ANNOTATIONS_PER_REQUEST);
  for (let i = 0; i < batches; i++) {
    const last = i === batches - 1;
    await octokit.rest.checks.update({
      owner: target.owner,
      repo: target.repo,
      check_run_id: created.data.id,
      output: { title: result.title, summary: result.summary, annotations: annotations.slice(i * ANNOTATIONS_PER_REQUEST, (i + 1) * ANNOTATIONS_PER_REQUEST) },
      ...(last ? { status: 'completed' as const, conclusion: result.conclusion, completed_at: new Date().toISOString() } : {}),
    });
  }
  return { published: true, url: created.data.html_url ?? null, annotations: annotations.length };
}
