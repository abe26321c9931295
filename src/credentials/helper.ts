// The Docker credential-helper protocol (github.com/docker/docker-credential-helpers): run
// `docker-credential-<name> get`, write the server URL on stdin, read `{ServerURL, Username, Secret}` as JSON
// from stdout. A Username of `<token>` means Secret is an identity (refresh) token. A helper that has
// nothing for the URL says "credentials not found in native keychain" and exits non-zero; that is an
// answer, not a failure.
import { spawn } from 'node:child_process';
import { visible } from '../report/sanitize.js';

export type HelperAnswer =
  | { kind: 'found'; username: string; secret: string }
  | { kind: 'not-found' }
  /** `why` is safe to print: it never holds what the helper wrote on stdout. */
  | { kind: 'failed'; why: string };

export const HELPER_TIMEOUT_MS = 10_000;
/** A helper's JSON answer is a few hundred bytes; anything far larger is not an answer. */
const MAX_OUTPUT_BYTES = 64 * 1024;
const NOT_FOUND = /credentials not found/i;

export interface HelperOptions {
  env: NodeJS.ProcessEnv;
  timeoutMs?: number;
}

/** Asks `docker-credential-<name>` for `serverUrl`. Never throws. */
export function askHelper(name: string, serverUrl: string, options: HelperOptions): Promise<HelperAnswer> {
  const program = `docker-credential-${name}`;
  const timeoutMs = options.timeoutMs ?? HELPER_TIMEOUT_MS;
  return new Promise((resolve) => {
    let settled = false;
    const finish = (answer: HelperAnswer): void => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      resolve(answer);
    };
    // Own process group (detached), so a timeout can stop the helper and anything it started — a shell
    // script's `sleep` would otherwise keep the pipes open after its parent is gone.
    const child = spawn(program, ['get'], { env: options.env, stdio: ['pipe', 'pipe', 'pipe'], detached: true });
    const stdout: Buffer[] = [];
    const stderr: Buffer[] = [];
    let size = 0;
    const collect = (into: Buffer[]) => (chunk: Buffer): void => {
      size += chunk.length;
      if (size > MAX_OUTPUT_BYTES) {
        stop();
        finish({ kind: 'failed', why: `${program} wrote more than ${MAX_OUTPUT_BYTES / 1024} KiB` });
      } else into.push(chunk);
    };
    const stop = (): void => {
      try {
        if (child.pid !== undefined) process.kill(-child.pid, 'SIGKILL');
      } catch {
        // already gone
      }
    };
    const timer = setTimeout(() => {
      stop();
      finish({ kind: 'failed', why: `${program} did not answer within ${timeoutMs >= 1000 ? `${Math.round(timeoutMs / 1000)} s` : `${timeoutMs} ms`}` });
    }, timeoutMs);

    child.stdout.on('data', collect(stdout));
    child.stderr.on('data', collect(stderr));
    child.stdin.on('error', () => {}); // a helper that exits without reading stdin: its exit code tells
    child.on('error', (error: NodeJS.ErrnoException) => {
      finish({ kind: 'failed', why: error.code === 'ENOENT' ? `${program} is not installed (not found on PATH)` : `${program} could not start (${error.code ?? error.message})` });
    });
    child.on('close', (code, signal) => {
      const out = Buffer.concat(stdout).toString('utf8');
      const err = Buffer.concat(stderr).toString('utf8');
      if (code !== 0) {
        if (NOT_FOUND.test(out) || NOT_FOUND.test(err)) return finish({ kind: 'not-found' });
        const said = firstLine(err);
        return finish({ kind: 'failed', why: `${program} get ${signal ? `was killed by ${signal}` : `exited with code ${code}`}${said ? `: ${said}` : ''}` });
      }
      finish(parseAnswer(program, out));
    });
    child.stdin.end(serverUrl);
  });
}

function parseAnswer(program: string, out: string): HelperAnswer {
  let parsed: unknown;
  try {
    parsed = JSON.parse(out);
  } catch {
    return { kind: 'failed', why: `${program} get did not answer JSON` };
  }
  const { Username: username, Secret: secret } = (parsed ?? {}) as { Username?: unknown; Secret?: unknown };
  if (typeof secret !== 'string' || secret === '') return { kind: 'not-found' };
  return { kind: 'found', username: typeof username === 'string' ? username : '', secret };
}

/**
 * The first line of what a helper wrote on stderr, for the finding. Helpers report their own errors there
 * ("keychain locked", "no such profile"); a long token-like word is replaced, because a helper could echo
 * what it was trying to use.
 */
function firstLine(text: string): string {
  const line = text.split('\n').map((l) => l.trim()).find(Boolean) ?? '';
  const masked = line.replace(/[A-Za-z0-9+/=_.~-]{20,}/g, '[redacted]');
  return visible(masked.length > 160 ? `${masked.slice(0, 160)}…` : masked);
}
