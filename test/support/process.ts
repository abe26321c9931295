// Child processes of the harness: short commands (openssl, htpasswd) and long-running servers that are
// ready once a line of their log matches, stopped by PID.
import { execFile, spawn, type ChildProcess } from 'node:child_process';

/** Runs a short command; rejects with its stderr when it fails. `input` goes to its stdin. */
export function run(command: string, args: string[], input?: string): Promise<string> {
  return new Promise((resolve, reject) => {
    const child = execFile(command, args, { timeout: 15_000 }, (error, stdout, stderr) => {
      if (error) reject(new Error(`${command} ${args[0] ?? ''} failed: ${stderr.trim() || error.message}`));
      else resolve(stdout);
    });
    if (input !== undefined) child.stdin?.end(input);
  });
}

export interface RunningChild {
  pid: number;
  /** The capture groups of the log line that made the server ready. */
  ready: RegExpMatchArray;
  /** The last lines the process wrote (stdout and stderr), for error messages. */
  recentOutput(): string;
  /** SIGTERM, then SIGKILL after a grace period; resolves once the process has exited. */
  stop(): Promise<void>;
}

const KEPT_LINES = 40;

/**
 * Spawns a server and waits until a line of its output matches `readyWhen`. Both streams are drained for
 * the life of the process (a full pipe would block the server).
 */
export async function startChild(command: string, args: string[], readyWhen: RegExp, timeoutMs = 10_000): Promise<RunningChild> {
  const child = spawn(command, args, { stdio: ['ignore', 'pipe', 'pipe'] });
  // Safety net for a test run that dies without calling stop(): never leave a server behind.
  const killOnExit = (): void => void child.kill('SIGKILL');
  process.once('exit', killOnExit);
  const lines: string[] = [];
  const exited = new Promise<void>((resolve) =>
    child.once('exit', () => {
      process.off('exit', killOnExit);
      resolve();
    }),
  );
  const recentOutput = (): string => lines.join('\n');

  const ready = await new Promise<RegExpMatchArray>((resolve, reject) => {
    const timer = setTimeout(() => fail(`not ready after ${timeoutMs} ms`), timeoutMs);
    function fail(why: string): void {
      clearTimeout(timer);
      child.kill('SIGKILL');
      reject(new Error(`${command} ${why}. Its last output:\n${recentOutput()}`));
    }
    const lineReader = (): ((chunk: Buffer) => void) => {
      let partial = ''; // a chunk may end mid-line
      return (chunk) => {
        const pieces = (partial + chunk.toString('utf8')).split('\n');
        partial = pieces.pop() ?? '';
        for (const line of pieces.filter(Boolean)) {
          lines.push(line);
          if (lines.length > KEPT_LINES) lines.shift();
          const match = line.match(readyWhen);
          if (match) {
            clearTimeout(timer);
            resolve(match);
          }
        }
      };
    };
    child.stdout.on('data', lineReader());
    child.stderr.on('data', lineReader());
    child.once('error', (error) => fail(`could not start (${error.message})`));
    child.once('exit', (code, signal) => fail(`exited early (code ${code}, signal ${signal})`));
  });

  return { pid: child.pid as number, ready, recentOutput, stop: () => stopChild(child, exited) };
}

async function stopChild(child: ChildProcess, exited: Promise<void>): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return;
  child.kill('SIGTERM');
  const timer = setTimeout(() => child.kill('SIGKILL'), 3_000);
  await exited;
  clearTimeout(timer);
}
