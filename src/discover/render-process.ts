// Starts the render tools (kustomize, kubectl, helm). This is the only place in pullcheck that runs child
// processes. Nothing is ever handed to a shell: spawn with an argument array and `shell: false`, so a
// folder named `$(touch x)` or `a;b` is one argument and nothing more.
import { spawn } from 'node:child_process';
import { constants } from 'node:fs';
import { access, stat } from 'node:fs/promises';
import path from 'node:path';
import { performance } from 'node:perf_hooks';

export type ToolRun =
  | { ok: true; stdout: string; durationMs: number }
  /** `problem` is one line for a finding: why the tool failed and the first lines of what it printed. */
  | { ok: false; problem: string; durationMs: number };

/** Rendered output is YAML for a whole release; anything bigger is a runaway template. */
const MAX_OUTPUT_BYTES = 64 * 1024 * 1024;
const EXCERPT_LINES = 5;
const EXCERPT_LINE_CHARS = 300;

export function runTool(command: string, args: string[], options: { cwd: string; timeoutMs: number }): Promise<ToolRun> {
  const started = performance.now();
  // Its own process group (POSIX), so a timeout also stops what the tool started (kustomize runs git for
  // remote resources); a grandchild left holding the pipes would otherwise keep the render waiting.
  const group = process.platform !== 'win32';
  return new Promise((resolve) => {
    const child = spawn(command, args, { cwd: options.cwd, shell: false, detached: group, windowsHide: true, stdio: ['ignore', 'pipe', 'pipe'] });
    const stdout: Buffer[] = [];
    const stderr: Buffer[] = [];
    let size = 0;
    let stopped: 'timeout' | 'output' | null = null;
    const stop = (why: 'timeout' | 'output'): void => {
      if (stopped) return;
      stopped = why;
      try {
        if (group && child.pid !== undefined) process.kill(-child.pid, 'SIGKILL');
        else child.kill('SIGKILL');
      } catch {
        // already gone
      }
    };
    const timer = setTimeout(() => stop('timeout'), options.timeoutMs);
    const collect = (into: Buffer[]) => (chunk: Buffer): void => {
      size += chunk.length;
      if (size > MAX_OUTPUT_BYTES) stop('output');
      else into.push(chunk);
    };
    child.stdout.on('data', collect(stdout));
    child.stderr.on('data', collect(stderr));
    let done = false;
    const finish = (code: number | null, signal: NodeJS.Signals | null, failure: NodeJS.ErrnoException | null): void => {
      if (done) return;
      done = true;
      clearTimeout(timer);
      const durationMs = performance.now() - started;
      if (!stopped && !failure && code === 0) {
        resolve({ ok: true, stdout: Buffer.concat(stdout).toString('utf8'), durationMs });
        return;
      }
      // Paths under the scanned root read better (and leak less of the runner) relative to it.
      const excerpt = stderrExcerpt(Buffer.concat(stderr).toString('utf8')).replaceAll(`${options.cwd}${path.sep}`, '');
      const why =
        stopped === 'timeout' ? `did not finish within ${options.timeoutMs} ms and was stopped`
        : stopped === 'output' ? `printed more than ${MAX_OUTPUT_BYTES / 1024 / 1024} MiB and was stopped`
        : failure ? `could not be started (${failure.code === 'ENOENT' ? 'not found' : (failure.code ?? failure.message)})`
        : code !== null ? `exited with code ${code}`
        : `was stopped by ${signal ?? 'a signal'}`;
      resolve({ ok: false, problem: excerpt ? `${why}: ${excerpt}` : why, durationMs });
    };
    // A program that cannot be started emits 'error' (and no 'close' to rely on).
    child.once('error', (error: NodeJS.ErrnoException) => finish(null, null, error));
    child.once('close', (code, signal) => finish(code, signal, null));
  });
}

/**
 * The first lines of a tool's error output, safe for a one-line message: terminal escape sequences and
 * control characters removed, blank lines and Go log prefixes dropped, at most five lines joined by ` | `.
 */
export function stderrExcerpt(stderr: string): string {
  const lines = stderr
    // eslint-disable-next-line no-control-regex
    .replace(/\u001b\[[0-9;?]*[ -/]*[@-~]/g, '') // CSI sequences (colours)
    .split(/\r?\n/)
    // eslint-disable-next-line no-control-regex
    .map((line) => line.replace(/[\u0000-\u001f\u007f-\u009f\u2028\u2029]/g, ' ').trim())
    // kubectl prefixes klog headers (`E1125 03:53:20.563251    5478 run.go:72] `) to its error line.
    .map((line) => line.replace(/^[IWEF]\d{4} \d{2}:\d{2}:\d{2}\.\d+\s+\d+ [\w.-]+:\d+\] /, ''))
    .filter((line) => line !== '');
  return lines
    .slice(0, EXCERPT_LINES)
    .map((line) => (line.length > EXCERPT_LINE_CHARS ? `${line.slice(0, EXCERPT_LINE_CHARS)}…` : line))
    .join(' | ');
}

/**
 * Where `command` would be found, without a shell: a name with a slash is taken as a path (relative to
 * `cwd`), a bare name is looked up on PATH (with PATHEXT on Windows). Null when there is no such executable.
 */
export async function findExecutable(command: string, cwd: string, env: NodeJS.ProcessEnv = process.env): Promise<string | null> {
  if (command === '') return null;
  if (command.includes('/') || command.includes(path.sep)) {
    const candidate = path.resolve(cwd, command);
    return (await isExecutableFile(candidate)) ? candidate : null;
  }
  const extensions = process.platform === 'win32' ? ['', ...(env.PATHEXT ?? '.EXE;.CMD;.BAT').split(';')] : [''];
  for (const dir of (env.PATH ?? '').split(path.delimiter)) {
    if (dir === '') continue;
    for (const extension of extensions) {
      const candidate = path.join(dir, command + extension);
      if (await isExecutableFile(candidate)) return candidate;
    }
  }
  return null;
}

async function isExecutableFile(file: string): Promise<boolean> {
  try {
    if (!(await stat(file)).isFile()) return false;
    await access(file, constants.X_OK);
    return true;
  } catch {
    return false;
  }
}
