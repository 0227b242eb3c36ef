import { describe, expect, it } from 'vitest';
import { TtlCache } from '../../src/lib/index.js';

describe('TtlCache', () => {
  it('expires entries at their time and evicts the least recently used when full', () => {
    let now = 0;
    const cache = new TtlCache<string, number>(2, () => now);
    cache.set('a', 1, 100);
    cache.set('b', 2, 100);
    expect(cache.get('a')).toBe(1); // a becomes the most recent
    cache.set('c', 3, 100); // evicts b
    expect(cache.get('b')).toBeUndefined();
    expect(cache.get('a')).toBe(1);
    expect(cache.get('c')).toBe(3);
    now = 100;
    expect(cache.get('a')).toBeUndefined();
    expect(cache.size).toBe(1);
  });
});

describe('TtlCache: the entry asked for again and again', () => {
  it('keeps exact least-recently-used order when hits of the youngest entry are not re-inserted', () => {
    const cache = new TtlCache<string, number>(3, () => 0);
    cache.set('a', 1, 100);
    cache.set('b', 2, 100);
    cache.set('c', 3, 100);
    for (let i = 0; i < 5; i++) expect(cache.get('c')).toBe(3); // already the youngest
    expect(cache.get('a')).toBe(1); // a is now the youngest, b the oldest
    expect(cache.get('a')).toBe(1);
    cache.set('d', 4, 100); // evicts b
    expect(cache.get('b')).toBeUndefined();
    expect(cache.get('c')).toBe(3); // c becomes the youngest, a the oldest
    cache.set('e', 5, 100); // evicts a
    expect(cache.get('a')).toBeUndefined();
    expect([cache.get('c'), cache.get('d'), cache.get('e')]).toEqual([3, 4, 5]);
  });

  it('forgets the youngest key when it is deleted or expires, and serves no stale value for it', () => {
    let now = 0;
    const cache = new TtlCache<string, number>(2, () => now);
    cache.set('a', 1, 100);
    cache.set('b', 2, 50);
    cache.delete('b');
    expect(cache.get('b')).toBeUndefined();
    cache.set('c', 3, 50);
    expect(cache.get('a')).toBe(1); // a the youngest, c the oldest
    cache.set('b', 2, 100); // evicts c
    expect(cache.get('c')).toBeUndefined();
    now = 50;
    expect(cache.get('b')).toBe(2);
    now = 100;
    expect(cache.get('b')).toBeUndefined(); // expired while the youngest
    expect(cache.size).toBe(1);
    cache.set('x', 9, 200);
    expect(cache.get('x')).toBe(9);
  });
});
