// Reads manifests a few files ahead of the caller, handing them over in order: each read is several
// thread-pool round trips (open, stat, read, close), which then overlap with the extraction of the files
// before it instead of leaving the process idle (docs/benchmarks.md).
import { readManifest, type ReadResult } from './read.js';

/** Files read ahead: enough to hide the round trips, few enough to hold little text in memory. */
const READ_AHEAD = 8;

export async function* readManifestsInOrder(root: string, files: readonly string[], maxBytes: number): AsyncGenerator<{ file: string; read: ReadResult }> {
  const pending: Promise<ReadResult>[] = [];
  let next = 0;
  const fill = (): void => {
    while (next < files.length && pending.length < READ_AHEAD) pending.push(readManifest(root, files[next++]!, maxBytes));
  };
  for (const file of files) {
    fill();
    // readManifest never rejects (every failure is a ReadResult), so the reads waiting here cannot go unhandled.
    const read = await pending.shift()!;
    yield { file, read };
  }
}
