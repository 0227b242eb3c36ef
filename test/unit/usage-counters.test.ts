import { describe, it, expect } from 'vitest';
import { UsageCounters } from '../../src/gateway/usage-counters.js';

describe('usage counters', () => {
  it('counts per key and forgets the oldest keys beyond the bound', () => {
    const c = new UsageCounters(3);
    c.increment(['a', 'b']);
    c.increment(['a']);
    expect(c.values.get('a')).toBe(2);
    expect(c.values.get('b')).toBe(1);
    c.increment(['c', 'd']);
    expect(c.values.size).toBe(3);
    expect(c.values.has('a')).toBe(false);
    expect(c.values.get('d')).toBe(1);
  });
});
