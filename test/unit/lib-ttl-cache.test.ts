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
