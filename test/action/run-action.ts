// Runs the bundled Action (dist/index.js) the way the GitHub runner does: a node 24 child process whose
// inputs are INPUT_* variables (upper-cased, dashes kept), with the runner's files for outputs and the job
// summary, an event payload file, and GITHUB_API_URL pointing at a loopback fake. Nothing of this machine's
// environment leaks in (no proxy variables, no real GITHUB_* of a CI run, a HOME of its own).
import { execFile } from 'node:child_process';
import { mkdtemp, readFile, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { HEAD_SHA, OWNER, PR_NUMBER, REPO } from './fake-github.js';

export const ACTION_ENTRY = path.resolve(__dirname, '../../dist/index.js');

export interface ActionRunOptions {
  workspace: string;
  inputs: Record<string, string>;
  /** Default pull_request (from the same repository). */
  event?: 'pull_request' | 'pull_request_from_fork' | 'push';
  apiUrl?: string;
  env?: Record<string, string>;
}

export interface ActionRun {
  code: number | null;
  stdout: string;
  stderr: string;
  /** Workflow commands on stdout (lines starting with `::`). */
  commands: string[];
  outputs: Record<string, string>;
  summary: string;
}

export function pullRequestPayload(fromFork: boolean): unknown {
  const repository = { full_name: `${OWNER}/${REPO}`, name: REPO, owner: { login: OWNER } };
  return {
    action: 'synchronize',
    number: PR_NUMBER,
    pull_request: {
      number: PR_NUMBER,
      state: 'open',
      head: { sha: HEAD_SHA, ref: 'feature', repo: fromFork ? { full_name: `someone/${REPO}`, name: REPO, owner: { login: 'someone' } } : repository },
      base: { sha: 'b'.repeat(40), ref: 'main', repo: repository },
    },
    repository,
  };
}

export async function runAction(options: ActionRunOptions): Promise<ActionRun> {
  const dir = await mkdtemp(path.join(os.tmpdir(), 'pullcheck-runner-'));
  const files = { output: path.join(dir, 'output'), summary: path.join(dir, 'summary.md'), event: path.join(dir, 'event.json') };
  await Promise.all([writeFile(files.output, ''), writeFile(files.summary, '')]);
  const event = options.event ?? 'pull_request';
  await writeFile(files.event, JSON.stringify(event === 'push' ? { ref: 'refs/heads/main', after: HEAD_SHA, repository: { full_name: `${OWNER}/${REPO}` } } : pullRequestPayload(event === 'pull_request_from_fork')));

  const env: Record<string, string> = {
    PATH: process.env.PATH ?? '',
    HOME: dir,
    RUNNER_TEMP: dir,
    GITHUB_ACTIONS: 'true',
    GITHUB_WORKSPACE: options.workspace,
    GITHUB_REPOSITORY: `${OWNER}/${REPO}`,
    GITHUB_SHA: 'c'.repeat(40),
    GITHUB_ACTOR: 'octocat',
    GITHUB_EVENT_NAME: event === 'push' ? 'push' : 'pull_request',
    GITHUB_EVENT_PATH: files.event,
    GITHUB_OUTPUT: files.output,
    GITHUB_STEP_SUMMARY: files.summary,
    GITHUB_SERVER_URL: 'https://github.com',
    // Nothing listens here unless a test gives a fake: a stray request fails fast, and stays on loopback.
    GITHUB_API_URL: options.apiUrl ?? 'http://127.0.0.1:9',
    ...options.env,
  };
  for (const [name, value] of Object.entries(options.inputs)) env[`INPUT_${name.replace(/ /g, '_').toUpperCase()}`] = value;

  const { code, stdout, stderr } = await new Promise<{ code: number | null; stdout: string; stderr: string }>((resolve) => {
    execFile(process.execPath, [ACTION_ENTRY], { env, cwd: options.workspace, timeout: 60_000, maxBuffer: 16 * 1024 * 1024 }, (error, out, err) => {
      resolve({ code: error ? (typeof error.code === 'number' ? error.code : null) : 0, stdout: out, stderr: err });
    });
  });
  return {
    code,
    stdout,
    stderr,
    commands: stdout.split(/\r?\n/).filter((line) => line.startsWith('::')),
    outputs: parseOutputs(await readFile(files.output, 'utf8')),
    summary: await readFile(files.summary, 'utf8'),
  };
}

/** The GITHUB_OUTPUT file format @actions/core writes: `name<<DELIMITER\nvalue\nDELIMITER\n`. */
function parseOutputs(text: string): Record<string, string> {
  const outputs: Record<string, string> = {};
  for (const match of text.matchAll(/^(.+?)<<(\S+)\r?\n([\s\S]*?)\r?\n\2\r?$/gm)) outputs[match[1]!] = match[3]!;
  return outputs;
}
