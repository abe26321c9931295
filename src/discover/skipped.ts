// The 'file-skipped' notice: a file or folder that was not scanned, and why (one sentence).
import type { Finding } from '../model.js';
import { rule } from '../judge/rules.js';

export function fileSkipped(file: string, reason: string): Finding {
  return {
    rule: 'file-skipped',
    severity: rule('file-skipped').severity,
    message: `Not scanned: ${reason}.`,
    range: { file, line: 1, column: 1, endLine: 1, endColumn: 1 },
    image: null,
    fix: null,
  };
}

/** A short cause for a failed file-system call, without the absolute path Node puts in its messages. */
export function describeFsError(error: unknown): string {
  const code = (error as NodeJS.ErrnoException | undefined)?.code;
  switch (code) {
    case 'EACCES':
    case 'EPERM':
      return 'permission denied';
    case 'ENOENT':
      return 'it does not exist';
    case 'EISDIR':
      return 'it is a folder';
    case 'ELOOP':
      return 'its symlinks form a loop';
    default:
      return code ?? (error instanceof Error ? error.message : String(error));
  }
}
