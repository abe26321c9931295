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

  /** Rejects with DeadlineExceeded when the deadline passes (never resolves). */
  expired(): Promise<never> {
    return new Promise((_, reject) => {
      const fail = (): void => reject(this.signal.reason as Error);
      if (this.signal.aborted) fail();
      else this.signal.addEventListener('abort', fail, { once: true });
    });
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

export class Semaphore {
  #free: number;
  readonly #waiting: Array<() => void> = [];

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
    await new Promise<void>((resolve, reject) => {
      const wake = (): void => {
        signal.removeEventListener('abort', giveUp);
        resolve();
      };
      const giveUp = (): void => {
        this.#waiting.splice(this.#waiting.indexOf(wake), 1);
        reject(signal.reason as Error);
      };
      this.#waiting.push(wake);
      signal.addEventListener('abort', giveUp, { once: true });
    });
    return this.#releaser();
  }

  #releaser(): () => void {
    let released = false;
    return () => {
      if (released) return;
      released = true;
      const next = this.#waiting.shift();
      if (next) next(); // the permit passes straight to the next waiter
      else this.#free++;
    };
  }
}
