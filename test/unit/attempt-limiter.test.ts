import { describe, it, expect } from 'vitest';
import { AttemptLimiter } from '../../src/lib/index.js';

describe('AttemptLimiter', () => {
  it('lets a key fail maxFailures times, then makes it wait until the oldest of those leaves the window', () => {
    const l = new AttemptLimiter({ maxFailures: 3, windowMs: 1000 });
    l.fail('k', 0);
    l.fail('k', 100);
    expect(l.waitMs('k', 200)).toBe(0);
    l.fail('k', 200);
    expect(l.waitMs('k', 300)).toBe(700);
    expect(l.waitMs('k', 999)).toBe(1);
    expect(l.waitMs('k', 1000)).toBe(0);
    expect(l.waitMs('other', 300)).toBe(0);
  });

  it('forgets a key on success', () => {
    const l = new AttemptLimiter({ maxFailures: 1, windowMs: 1000 });
    l.fail('k', 0);
    expect(l.waitMs('k', 1)).toBe(999);
    l.succeed('k');
    expect(l.waitMs('k', 1)).toBe(0);
  });

  it('stays bounded: a flood of new keys drops the oldest', () => {
    const l = new AttemptLimiter({ maxFailures: 1, windowMs: 1000 }, 2);
    l.fail('a', 0);
    l.fail('b', 0);
    l.fail('c', 0);
    expect(l.waitMs('a', 1)).toBe(0);
    expect(l.waitMs('b', 1)).toBeGreaterThan(0);
    expect(l.waitMs('c', 1)).toBeGreaterThan(0);
  });
});
