import { describe, expect, it } from 'vitest';
import { mapLimited } from '../../src/lib/index.js';

/** A promise the test settles itself. */
function deferred<T>() {
  let resolve!: (v: T) => void;
  let reject!: (e: unknown) => void;
  const promise = new Promise<T>((res, rej) => { resolve = res; reject = rej; });
  return { promise, resolve, reject };
}

describe('mapLimited', () => {
  it('keeps the order of the results and never runs more than the limit at once', async () => {
    const pending = new Map<number, ReturnType<typeof deferred<number>>>();
    let running = 0;
    let most = 0;
    const done = mapLimited([1, 2, 3, 4, 5], 2, (n) => {
      running++;
      most = Math.max(most, running);
      const d = deferred<number>();
      pending.set(n, d);
      return d.promise.finally(() => running--);
    });
    expect([...pending.keys()]).toEqual([1, 2]);
    // Settle out of order: the next item starts as soon as a slot is free.
    for (const n of [2, 1, 4, 3, 5]) {
      while (!pending.has(n)) await Promise.resolve();
      pending.get(n)!.resolve(n * 10);
    }
    expect(await done).toEqual([10, 20, 30, 40, 50]);
    expect(most).toBe(2);
  });

  it('rejects with the first failure and starts nothing after it', async () => {
    const started: number[] = [];
    const out = mapLimited([1, 2, 3, 4], 1, async (n) => {
      started.push(n);
      if (n === 2) throw new Error('boom');
      return n;
    });
    await expect(out).rejects.toThrow('boom');
    expect(started).toEqual([1, 2]);
  });

  it('maps an empty list to an empty list', async () => {
    expect(await mapLimited([], 4, async (n: number) => n)).toEqual([]);
  });
});
