// Renders run as child processes; a few at a time keeps a 2-core runner busy without thrashing it.
import { availableParallelism } from 'node:os';

const MAX_PARALLEL_RENDERS = Math.max(1, Math.min(4, availableParallelism()));

/** `map` over `items` with at most a few calls in flight; results keep the input order. */
export async function boundedMap<T, R>(items: T[], map: (item: T) => Promise<R>, limit = MAX_PARALLEL_RENDERS): Promise<R[]> {
  const results: R[] = new Array(items.length);
  let next = 0;
  const worker = async (): Promise<void> => {
    while (next < items.length) {
      const index = next++;
      results[index] = await map(items[index] as T);
    }
  };
  await Promise.all(Array.from({ length: Math.min(limit, items.length) }, worker));
  return results;
}
