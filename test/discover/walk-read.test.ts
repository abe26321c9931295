// Reading one candidate file: text when it is UTF-8, a 'file-skipped' notice naming the cause otherwise.
import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { readManifest } from '../../src/discover/read.js';

let root: string;
const LIMIT = 1024;

beforeAll(() => {
  root = mkdtempSync(path.join(os.tmpdir(), 'pullcheck-read-'));
});
afterAll(() => rmSync(root, { recursive: true, force: true }));

async function read(name: string, content: string | Buffer | null) {
  if (content !== null) writeFileSync(path.join(root, name), content);
  return readManifest(root, name, LIMIT);
}

async function reason(name: string, content: string | Buffer | null): Promise<string> {
  const result = await read(name, content);
  if (result.ok) throw new Error(`${name} was read`);
  expect(result.finding).toMatchObject({ rule: 'file-skipped', severity: 'notice', range: { file: name, line: 1, column: 1 } });
  return result.finding.message;
}

describe('readManifest', () => {
  it('reads UTF-8 text as it is, line ends included', async () => {
    expect(await read('a.yaml', 'a: ü\r\nb: 2\n')).toEqual({ ok: true, text: 'a: ü\r\nb: 2\n' });
  });

  it('strips a UTF-8 byte order mark', async () => {
    expect(await read('bom.yaml', Buffer.from('\uFEFFa: 1\n'))).toEqual({ ok: true, text: 'a: 1\n' });
  });

  it('reads files whose names hold spaces, unicode, % and newlines', async () => {
    for (const name of ['with space.yaml', 'ünïcödé.yaml', '%41.yaml', 'new\nline.yaml']) {
      expect(await read(name, 'a: 1\n')).toEqual({ ok: true, text: 'a: 1\n' });
    }
  });

  it('reads a file exactly at the size limit', async () => {
    expect((await read('limit.yaml', 'a'.repeat(LIMIT))).ok).toBe(true);
  });

  it.each([
    ['big.yaml', 'a'.repeat(LIMIT + 1), 'Not scanned: the file is 1.0 KiB, more than the 1.0 KiB limit (max-file-size).'],
    ['image.json', Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x00, 0x01]), 'Not scanned: the file holds NUL bytes, so it is binary, not YAML or JSON.'],
    ['latin1.yaml', Buffer.from('name: caf\xe9\n', 'latin1'), 'Not scanned: the file is not valid UTF-8 text.'],
    ['wide.yaml', Buffer.from('\uFEFFa: 1\n', 'utf16le'), 'Not scanned: the file is UTF-16 text; convert it to UTF-8.'],
    ['missing.yaml', null, 'Not scanned: the file cannot be read (it does not exist).'],
  ])('refuses %s with the cause', async (name, content, message) => {
    expect(await reason(name, content)).toBe(message);
  });

  it('refuses a FIFO at once instead of waiting for a writer', async () => {
    execFileSync('mkfifo', [path.join(root, 'pipe.yaml')]);
    expect(await reason('pipe.yaml', null)).toBe('Not scanned: it is not a regular file.');
  });
});
