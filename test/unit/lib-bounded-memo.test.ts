import { describe, expect, it } from 'vitest';
import { BoundedMemo } from '../../src/lib/index.js';

describe('BoundedMemo', () => {
  it('computes once per key and serves the remembered value after', () => {
    const memo = new BoundedMemo<string, number>(10);
    let calls = 0;
    const square = (k: string): number => memo.remember(k, () => { calls += 1; return Number(k) ** 2; });
    expect([square('3'), square('3'), square('4')]).toEqual([9, 9, 16]);
    expect(calls).toBe(2);
  });

  it('never holds more than its limit, however many distinct keys arrive', () => {
    const memo = new BoundedMemo<number, number>(100);
    for (let i = 0; i < 10_000; i += 1) {
      memo.remember(i, () => i);
      expect(memo.size).toBeLessThanOrEqual(100);
    }
    // Starting over forgets old keys; they are computed again, correctly.
    expect(memo.remember(0, () => 42)).toBe(42);
  });

  it('remembers falsy answers too (a cached "no" is still an answer)', () => {
    const memo = new BoundedMemo<string, boolean>(4);
    let calls = 0;
    const no = (): boolean => memo.remember('k', () => { calls += 1; return false; });
    expect([no(), no()]).toEqual([false, false]);
    expect(calls).toBe(1);
  });
});
