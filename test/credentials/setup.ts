// Shared by the credential tests: a temp folder per test file with config files and credential helpers
// (small shell scripts named docker-credential-<name>, found through a PATH the test builds).
import { chmodSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';

export interface Sandbox {
  dir: string;
  /** Writes `relative` (folders made as needed) and returns its absolute path. */
  write(relative: string, content: string | object): string;
  /**
   * A credential helper. `body` is POSIX sh run for `get`, with the server URL from stdin in $url; every
   * call is appended to calls.log as `<name> <url>`.
   */
  helper(name: string, body: string): void;
  /** Server URLs each helper was asked for, in order. */
  calls(): string[];
  /** An environment with only this sandbox's helpers (and the system's sh tools) on PATH. */
  env(extra?: NodeJS.ProcessEnv): NodeJS.ProcessEnv;
  remove(): void;
}

export function sandbox(): Sandbox {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'pullcheck-credentials-'));
  const bin = path.join(dir, 'bin');
  mkdirSync(bin);
  const log = path.join(dir, 'calls.log');
  writeFileSync(log, '');
  return {
    dir,
    write(relative, content) {
      const file = path.join(dir, relative);
      mkdirSync(path.dirname(file), { recursive: true });
      writeFileSync(file, typeof content === 'string' ? content : JSON.stringify(content, null, 2));
      return file;
    },
    helper(name, body) {
      const file = path.join(bin, `docker-credential-${name}`);
      writeFileSync(file, `#!/bin/sh\nurl=$(cat)\necho "${name} $url" >> '${log}'\n[ "$1" = get ] || exit 3\n${body}\n`);
      chmodSync(file, 0o755);
    },
    calls() {
      return readLines(log);
    },
    env(extra = {}) {
      return { PATH: `${bin}:/usr/bin:/bin`, HOME: path.join(dir, 'home'), ...extra };
    },
    remove() {
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

function readLines(file: string): string[] {
  return readFileSync(file, 'utf8').split('\n').filter(Boolean);
}

export const base64 = (text: string): string => Buffer.from(text).toString('base64');
