// The whole CLI (main) in a throwaway workspace: files written as a pull request would, output captured.
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { Writable } from 'node:stream';
import { main } from '../../src/cli.js';

export interface CliOutput {
  code: number;
  stdout: string;
  stderr: string;
}

class Capture extends Writable {
  text = '';
  override _write(chunk: Buffer, _encoding: string, done: () => void): void {
    this.text += chunk.toString('utf8');
    done();
  }
}

export interface Workspace {
  dir: string;
  /** Writes `relative` (folders made as needed); returns its absolute path. */
  write(relative: string, content: string | Buffer): string;
  /** Runs `pullcheck ARGS` in the workspace, with no credentials and no proxy in the environment. */
  run(args: string[]): Promise<CliOutput>;
  remove(): void;
}

export function workspace(): Workspace {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'pullcheck-hostile-'));
  return {
    dir,
    write(relative, content) {
      const file = path.join(dir, relative);
      mkdirSync(path.dirname(file), { recursive: true });
      writeFileSync(file, content);
      return file;
    },
    async run(args) {
      const stdout = new Capture();
      const stderr = new Capture();
      const env = { PATH: process.env.PATH, HOME: path.join(dir, '.home'), DOCKER_CONFIG: path.join(dir, '.docker') };
      const code = await main(args, { stdout, stderr, cwd: dir, env });
      return { code, stdout: stdout.text, stderr: stderr.text };
    },
    remove() {
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

/** A Deployment with one container per image, as YAML. */
export function deployment(name: string, images: string[]): string {
  const containers = images.map((image, i) => `        - name: c${i}\n          image: ${image}\n`).join('');
  return `apiVersion: apps/v1\nkind: Deployment\nmetadata:\n  name: ${name}\nspec:\n  selector:\n    matchLabels: {app: ${name}}\n  template:\n    metadata:\n      labels: {app: ${name}}\n    spec:\n      containers:\n${containers}`;
}
