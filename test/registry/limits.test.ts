// The run's concurrency limit and deadline: permits go to waiters in order, an aborted signal takes every
// waiter that passed it out of the queue (and only those), and the deadline's single `expired` promise
// rejects every racer once — with many thousands of queued checks, without a cost per waiter.
import { describe, expect, it } from 'vitest';
import { Deadline, DeadlineExceeded, Semaphore } from '../../src/registry/limits.js';

describe('Semaphore', () => {
  it('hands permits to waiters in the order they asked', async () => {
    const semaphore = new Semaphore(1);
    const signal = new AbortController().signal;
    const order: number[] = [];
    const first = await semaphore.acquire(signal);
    const waiting = [1, 2, 3].map(async (n) => {
      const release = await semaphore.acquire(signal);
      order.push(n);
      release();
    });
    first();
    await Promise.all(waiting);
    expect(order).toEqual([1, 2, 3]);
  });

  it('rejects the waiters of an aborted signal with its reason, and keeps the others queued', async () => {
    const semaphore = new Semaphore(1);
    const run = new AbortController();
    const other = new AbortController();
    const held = await semaphore.acquire(run.signal);
    const aborted = [semaphore.acquire(run.signal), semaphore.acquire(run.signal)];
    const survivor = semaphore.acquire(other.signal);
    const reason = new Error('deadline passed');
    run.abort(reason);
    for (const waiter of aborted) await expect(waiter).rejects.toBe(reason);
    held(); // the permit goes to the waiter still queued, not to an aborted one
    const release = await survivor;
    release();
    release(); // twice is harmless: the permit is not counted again
    const a = await semaphore.acquire(other.signal);
    await expect(Promise.race([semaphore.acquire(other.signal), new Promise((r) => setTimeout(() => r('still waiting'), 20))])).resolves.toBe('still waiting');
    a();
  });

  it('refuses at once when the signal is already aborted', async () => {
    const controller = new AbortController();
    controller.abort(new Error('gone'));
    await expect(new Semaphore(1).acquire(controller.signal)).rejects.toThrow('gone');
  });

  it('serves 20,000 queued checks with one listener on the signal', async () => {
    const semaphore = new Semaphore(32);
    const controller = new AbortController();
    let added = 0;
    const signal = controller.signal;
    const addEventListener = signal.addEventListener.bind(signal);
    signal.addEventListener = ((...args: Parameters<typeof addEventListener>) => {
      added++;
      addEventListener(...args);
    }) as typeof signal.addEventListener;
    let done = 0;
    await Promise.all(Array.from({ length: 20_000 }, async () => {
      const release = await semaphore.acquire(signal);
      await Promise.resolve();
      done++;
      release();
    }));
    expect(done).toBe(20_000);
    expect(added).toBe(1);
  });
});

describe('Deadline', () => {
  it('gives every caller the same expired promise, which rejects with DeadlineExceeded when it passes', async () => {
    const deadline = new Deadline(30);
    const expired = deadline.expired();
    expect(deadline.expired()).toBe(expired);
    await expect(expired).rejects.toBeInstanceOf(DeadlineExceeded);
    await expect(deadline.expired()).rejects.toThrow('deadline of 0 s exceeded');
    deadline.dispose();
  });

  it('raises no unhandled rejection when nobody is racing it as it passes', async () => {
    const unhandled: unknown[] = [];
    const onUnhandled = (reason: unknown): void => void unhandled.push(reason);
    process.on('unhandledRejection', onUnhandled);
    try {
      const deadline = new Deadline(5);
      void deadline.expired();
      await new Promise((r) => setTimeout(r, 50));
      expect(unhandled).toEqual([]);
    } finally {
      process.off('unhandledRejection', onUnhandled);
    }
  });
});
