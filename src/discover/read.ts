// Reads a candidate manifest as UTF-8 text, or says in a 'file-skipped' notice why it was not scanned.
import { constants } from 'node:fs';
import { open } from 'node:fs/promises';
import path from 'node:path';
import type { Finding } from '../model.js';
import { describeFsError, fileSkipped } from './skipped.js';

export type ReadResult = { ok: true; text: string } | { ok: false; finding: Finding };

const utf8 = new TextDecoder('utf-8', { fatal: true }); // strips a leading byte order mark
/** Non-blocking, so opening a FIFO returns at once (and is then refused) instead of waiting for a writer. */
const READ_FLAGS = constants.O_RDONLY | (constants.O_NONBLOCK ?? 0);

/**
 * Reads a file as UTF-8 text; binary (NUL bytes), invalid UTF-8, unreadable, or larger than maxBytes → a
 * 'file-skipped' finding naming the cause. Strips a UTF-8 BOM.
 */
export async function readManifest(root: string, file: string, maxBytes: number): Promise<ReadResult> {
  const skipped = (reason: string): ReadResult => ({ ok: false, finding: fileSkipped(file, reason) });
  let bytes: Buffer;
  try {
    const handle = await open(path.join(root, file), READ_FLAGS);
    try {
      const info = await handle.stat();
      if (!info.isFile()) return skipped('it is not a regular file');
      if (info.size > maxBytes) {
        return skipped(`the file is ${formatSize(info.size)}, more than the ${formatSize(maxBytes)} limit (max-file-size)`);
      }
      bytes = await handle.readFile();
    } finally {
      await handle.close();
    }
  } catch (error) {
    return skipped(`the file cannot be read (${describeFsError(error)})`);
  }
  if ((bytes[0] === 0xff && bytes[1] === 0xfe) || (bytes[0] === 0xfe && bytes[1] === 0xff)) {
    return skipped('the file is UTF-16 text; convert it to UTF-8');
  }
  if (bytes.includes(0)) return skipped('the file holds NUL bytes, so it is binary, not YAML or JSON');
  try {
    return { ok: true, text: utf8.decode(bytes) };
  } catch {
    return skipped('the file is not valid UTF-8 text');
  }
}

function formatSize(bytes: number): string {
  if (bytes < 1024) return `${bytes} bytes`;
  if (bytes < 1024 * 1024) return `${(bytes / 1024).toFixed(1)} KiB`;
  return `${(bytes / (1024 * 1024)).toFixed(1)} MiB`;
}
