// The run's deadline and its concurrency limits.
//
// The semaphore is written here rather than taken from p-limit: requests need TWO limits at once (the
// registry's and the global one) and a queued request must leave the queue the moment the deadline
// passes. p-limit wraps a function per limiter and cannot drop one queued call on an AbortSignal.

/** The global deadline of one resolution run; its signal aborts every wait and request when it passes. */
export class Deadline {
  readonly at: number;
  readonly signal: AbortSignal;
  readonly #timer: NodeJS.Timeout;
  #expired: Promise<never> | null = null;

  constructor(readonly timeoutMs: number) {
    const controller = new AbortController();
    this.at = Date.now() + timeoutMs;
    this.signal = controller.signal;
    this.#timer = setTimeout(() => controller.abort(new DeadlineExceeded(timeoutMs)), timeoutMs);
    this.#timer.unref();
  }

  remainingMs(): number {
    return Math.max(0, this.at - Date.now());
  }

  /**
   * Rejects with DeadlineExceeded when the deadline passes (never resolves). One promise for every caller:
   * a listener per image made each later listener removal on the signal scan them all (docs/benchmarks.md).
   */
  expired(): Promise<never> {
    if (!this.#expired) {
      this.#expired = new Promise((_, reject) => {
        const fail = (): void => reject(this.signal.reason as Error);
        if (this.signal.aborted) fail();
        else this.signal.addEventListener('abort', fail, { once: true });
      });
      this.#expired.catch(() => undefined); // each caller handles it; unraced, it is no unhandled rejection
    }
    return this.#expired;
  }

  dispose(): void {
    clearTimeout(this.#timer);
  }
}

export class DeadlineExceeded extends Error {
  constructor(readonly timeoutMs: number) {
    super(`deadline of ${Math.round(timeoutMs / 100) / 10} s exceeded`);
  }
}

interface Waiter {
  wake: () => void;
  fail: (reason: unknown) => void;
  signal: AbortSignal;
}

export class Semaphore {
  #free: number;
  #waiting: Waiter[] = [];
  /** Signals with our abort listener: one per signal, not one per waiter (removing one scans them all). */
  readonly #watched = new WeakSet<AbortSignal>();

  constructor(limit: number) {
    if (!Number.isInteger(limit) || limit < 1) throw new RangeError(`a concurrency limit must be a positive integer, not ${limit}`);
    this.#free = limit;
  }

  /** Waits for a permit; the returned function gives it back (calling it twice is harmless). */
  async acquire(signal: AbortSignal): Promise<() => void> {
    signal.throwIfAborted();
    if (this.#free > 0) {
      this.#free--;
      return this.#releaser();
    }
    this.#watch(signal);
    await new Promise<void>((wake, fail) => void this.#waiting.push({ wake, fail, signal }));
    return this.#releaser();
  }

  /** When `signal` aborts, every waiter that passed it leaves the queue with its reason. */
  #watch(signal: AbortSignal): void {
    if (this.#watched.has(signal)) return;
    this.#watched.add(signal);
    signal.addEventListener('abort', () => {
      const leaving = this.#waiting.filter((w) => w.signal === signal);
      this.#waiting = this.#waiting.filter((w) => w.signal !== signal);
      for (const waiter of leaving) waiter.fail(signal.reason);
    }, { once: true });
  }

  #releaser(): () => void {
    let released = false;
    return () => {
      if (released) return;
      released = true;
      const next = this.#waiting.shift();
      if (next) next.wake(); // the permit passes straight to the next waiter
      else this.#free++;
    };
  }
}
