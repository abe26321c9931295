// Action entry: inputs → Options → run() → what a reviewer sees on GitHub (annotations, review comments,
// job summary), files (JSON report, SARIF), step outputs, and the gate. Only wiring lives here; each view of
// the report is a module under src/report/github-*.
import { mkdirSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import * as core from '@actions/core';
import * as github from '@actions/github';
import { readInputs, InputError, type ActionInputs } from './action-inputs.js';
import { buildOptions, ConfigError, type FailOn, type Options } from './options.js';
import { run } from './run.js';
import { progressLines } from './report/progress.js';
import { environmentKeychain } from './credentials/index.js';
import { failsGate, type Report, type ReportFinding } from './report/report.js';
import { formatSarif } from './report/sarif.js';
import { annotationCommands } from './report/github-commands.js';
import { checkAnnotatable, publishCheckRun, type CheckRunResult } from './report/github-checks.js';
import { describeApiError, type Octokit, type PullRequest, type Repository } from './report/github-client.js';
import { fetchChangedFiles, filterReport, type ChangedFiles, type FilterMode } from './report/github-diff.js';
import { postReview, type LineReader } from './report/github-review.js';
import { formatSummary } from './report/github-summary.js';
import { VERSION } from './version.js';

/** Where this run's commit lives on GitHub; null outside GitHub Actions. */
interface Target extends Repository {
  sha: string;
  pr: PullRequest | null;
}

export async function main(): Promise<void> {
  const root = process.env.GITHUB_WORKSPACE || process.cwd();
  const target = githubTarget();
  const pr = target?.pr ?? null;
  let inputs: ActionInputs;
  let options: Options;
  try {
    inputs = readInputs((name) => core.getInput(name), root);
    for (const secret of inputs.secrets) core.setSecret(secret); // before anything can log them
    // A pull_request run from a fork gets no secrets (pull_request_target does): what needs them is unverified.
    options = buildOptions({ ...inputs.options, noSecrets: github.context.eventName === 'pull_request' && pr?.fromFork === true });
  } catch (error) {
    if (error instanceof InputError || error instanceof ConfigError) return core.setFailed(`pullcheck: ${error.message}`);
    throw error;
  }
  const notes = [...inputs.notes];
  const keychain = environmentKeychain(process.env, { githubToken: inputs.githubToken, githubActor: process.env.GITHUB_ACTOR });
  const report = await run(options, { keychain, progress: progressLines((line) => core.info(line.trimEnd()), { live: false }) });

  const octokit = inputs.githubToken && target ? github.getOctokit(inputs.githubToken) : null;
  const wantedMode: FilterMode = inputs.filterMode ?? (pr ? 'added' : 'nofilter');
  const changed = pr && (wantedMode !== 'nofilter' || inputs.review === 'auto') ? await loadChangedFiles(octokit, pr, notes) : null;
  const mode = changed === null ? 'nofilter' : wantedMode;
  if (mode !== wantedMode) notes.push(`\`filter-mode: ${wantedMode}\` needs the pull request's changed lines, which this run does not have; every finding counts.`);
  const shown = filterReport(report, mode, changed ?? new Map());
  const failed = failsGate(shown, options.failOn);

  const reportPath = writeReportFile(report);
  if (inputs.sarif) writeFile(inputs.sarif, `${JSON.stringify(formatSarif(report, VERSION), null, 2)}\n`, 'sarif');
  if (inputs.annotations) await annotate(shown, failed, octokit, target, inputs.summary, notes);
  if (inputs.review === 'auto' && pr) await review(shown, changed, octokit, pr, root, notes);
  for (const note of notes) core.info(`pullcheck: ${note.replace(/`/g, '')}`);
  if (inputs.summary && process.env.GITHUB_STEP_SUMMARY) {
    const blobUrl = target ? `${process.env.GITHUB_SERVER_URL || 'https://github.com'}/${target.owner}/${target.repo}/blob/${target.sha}/` : null;
    const filteredOut = report.findings.length - shown.findings.length;
    await core.summary.addRaw(formatSummary(shown, { failed, failOn: options.failOn, filterMode: mode, filteredOut, notes, blobUrl })).write();
  }

  core.setOutput('report', reportPath);
  core.setOutput('sarif', inputs.sarif ?? '');
  core.setOutput('errors', shown.summary.errors);
  core.setOutput('warnings', shown.summary.warnings);
  core.setOutput('images', shown.summary.images);
  core.setOutput('result', failed ? 'fail' : 'pass');
  if (failed) core.setFailed(`pullcheck: ${counted(shown, options.failOn)} at or above fail-on: ${options.failOn}`);
}

function githubTarget(): Target | null {
  const [owner, repo] = (process.env.GITHUB_REPOSITORY ?? '').split('/');
  if (!owner || !repo) return null;
  const payload = github.context.payload.pull_request;
  const pr: PullRequest | null = payload?.number && payload.head?.sha
    ? { owner, repo, number: payload.number, headSha: payload.head.sha, fromFork: payload.head.repo?.full_name !== payload.base?.repo?.full_name }
    : null;
  const sha = pr?.headSha ?? process.env.GITHUB_SHA;
  return sha ? { owner, repo, sha, pr } : null;
}

async function loadChangedFiles(octokit: Octokit | null, pr: PullRequest, notes: string[]): Promise<ChangedFiles | null> {
  if (!octokit) {
    notes.push('No `github-token`: the pull request\'s changed files are unknown.');
    return null;
  }
  try {
    const changed = await fetchChangedFiles(octokit, pr);
    if (changed === null) notes.push('The pull request changes more files than GitHub lists (3,000).');
    return changed;
  } catch (error) {
    notes.push(`The pull request's changed files could not be read (${describeApiError(error)}; \`pull-requests: read\` is needed).`);
    return null;
  }
}

/** Through the Checks API when the token may write checks (no cap), else as workflow commands (capped). */
async function annotate(shown: Report, failed: boolean, octokit: Octokit | null, target: Target | null, summary: boolean, notes: string[]): Promise<void> {
  let remaining: readonly ReportFinding[] = shown.findings;
  if (octokit && target) {
    try {
      const outcome = await publishCheckRun(octokit, { owner: target.owner, repo: target.repo, headSha: target.sha }, shown.findings, checkRunResult(shown, failed));
      if (outcome.published) {
        core.info(`pullcheck: ${outcome.annotations} annotations are on the "pullcheck" check run${outcome.url ? ` (${outcome.url})` : ''}`);
        remaining = shown.findings.filter((f) => !checkAnnotatable(f));
      }
    } catch (error) {
      notes.push(`The Checks API failed (${describeApiError(error)}); annotations are workflow commands instead, capped by GitHub.`);
    }
  }
  const seeAlso = summary ? 'the job summary lists them all' : 'the JSON report (the `report` output) lists them all';
  // A failing step ends with core.setFailed's own error annotation: keep a slot for it.
  for (const line of annotationCommands(remaining, { seeAlso, reservedErrors: failed ? 1 : 0 })) process.stdout.write(`${line}${os.EOL}`);
}

function checkRunResult(shown: Report, failed: boolean): CheckRunResult {
  const s = shown.summary;
  const title = `${s.errors} error${s.errors === 1 ? '' : 's'}, ${s.warnings} warning${s.warnings === 1 ? '' : 's'}, ${s.notices} notice${s.notices === 1 ? '' : 's'}`;
  return {
    conclusion: failed ? 'failure' : shown.findings.length > 0 ? 'neutral' : 'success',
    title,
    summary: `${title} in ${s.images} image${s.images === 1 ? '' : 's'}. The workflow run's job summary has the details.`,
  };
}

async function review(shown: Report, changed: ChangedFiles | null, octokit: Octokit | null, pr: PullRequest, root: string, notes: string[]): Promise<void> {
  const skipped = 'no review comments were posted; the findings are annotations only.';
  if (pr.fromFork) return void notes.push(`This pull request comes from a fork, whose token may not comment: ${skipped}`);
  if (!octokit || !changed) return void notes.push(`Without the pull request's changed lines, ${skipped}`);
  try {
    const outcome = await postReview(octokit, pr, shown.findings, changed, workspaceLines(root));
    if ('notPermitted' in outcome) notes.push(`The token may not write pull requests (\`permissions: pull-requests: write\`): ${skipped}`);
    else if (outcome.posted > 0) core.info(`pullcheck: posted a review with ${outcome.posted} comment${outcome.posted === 1 ? '' : 's'}`);
    if ('left' in outcome && outcome.left > 0) notes.push(`${outcome.left} more problem${outcome.left === 1 ? '' : 's'} on changed lines ${outcome.left === 1 ? 'was' : 'were'} not commented, to keep the review readable; the next run comments them if they remain.`);
  } catch (error) {
    notes.push(`The review could not be posted (${describeApiError(error)}): ${skipped}`);
  }
}

/** Reads lines of files in the workspace, each file once. */
function workspaceLines(root: string): LineReader {
  const files = new Map<string, string[] | null>();
  return (file, line) => {
    if (!files.has(file)) {
      try {
        files.set(file, readFileSync(path.join(root, file), 'utf8').split('\n'));
      } catch {
        files.set(file, null);
      }
    }
    return files.get(file)?.[line - 1] ?? null;
  };
}

/** Under RUNNER_TEMP, in a folder of its own so two pullcheck steps of a job do not overwrite each other. */
function writeReportFile(report: Report): string {
  const dir = mkdtempSync(path.join(process.env.RUNNER_TEMP || os.tmpdir(), 'pullcheck-'));
  return writeFile(path.join(dir, 'report.json'), `${JSON.stringify(report, null, 2)}\n`, 'report');
}

function writeFile(file: string, text: string, what: string): string {
  try {
    mkdirSync(path.dirname(file), { recursive: true });
    writeFileSync(file, text);
    return file;
  } catch (error) {
    throw new InputError(`cannot write the ${what} file ${file}: ${(error as NodeJS.ErrnoException).code ?? (error as Error).message}`);
  }
}

function counted(report: Report, failOn: FailOn): string {
  const { errors, warnings } = report.summary;
  const parts = [`${errors} error${errors === 1 ? '' : 's'}`];
  if (failOn === 'warning') parts.push(`${warnings} warning${warnings === 1 ? '' : 's'}`);
  return parts.join(' and ');
}

// Run only as the bundled entry (node dist/index.js), as src/cli.ts does.
if (typeof require !== 'undefined' && require.main === module) {
  main().catch((error: unknown) => {
    if (error instanceof InputError || error instanceof ConfigError) return core.setFailed(`pullcheck: ${error.message}`);
    core.debug((error as Error).stack ?? String(error));
    core.setFailed(`pullcheck: internal error: ${(error as Error).message} — please report it with the workflow step you ran`);
  });
}
