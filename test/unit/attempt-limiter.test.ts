import { describe, it, expect } from 'vitest';
import { AttemptLimiter } from '../../src/lib/index.js';
import { LoginThrottle } from '../../src/issuer/login-throttle.js';

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

describe('LoginThrottle', () => {
  const settings = { perAccountAndAddress: 2, perAddress: 3, perAccount: 4, windowSec: 60 };

  it('throttles one account from one address, whatever the case of the name, and not that account elsewhere', () => {
    const t = new LoginThrottle(settings);
    t.failed('Alice', '10.0.0.1', 0);
    t.failed(' alice', '10.0.0.1', 0);
    expect(t.waitMs('ALICE', '10.0.0.1', 1)).toBe(59_999);
    expect(t.waitMs('alice', '10.0.0.2', 1)).toBe(0);
  });

  it('throttles an address trying many accounts, and an account tried from many addresses', () => {
    const t = new LoginThrottle(settings);
    for (const name of ['a', 'b', 'c']) t.failed(name, '10.0.0.9', 0);
    expect(t.waitMs('d', '10.0.0.9', 1)).toBeGreaterThan(0);
    const u = new LoginThrottle(settings);
    for (const addr of ['1', '2', '3', '4']) u.failed('carol', addr, 0);
    expect(u.waitMs('carol', '5', 1)).toBeGreaterThan(0);
  });
});
