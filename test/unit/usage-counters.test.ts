import { describe, it, expect } from 'vitest';
import { UsageCounters } from '../../src/gateway/usage-counters.js';
import { counterKey } from '../../src/policy/index.js';
import { MimtrustError } from '../../src/errors/index.js';

const HOUR = 3_600_000;
const T0 = 1_800_000_000_000 - (1_800_000_000_000 % HOUR);
const hourly = (who: string, now: number) => counterKey('urn:c', 'r', who, 'PT1H', HOUR, now);
const total = (who: string) => counterKey('urn:c', 'r', who, 'total', null, 0);

function refusal(fn: () => void): MimtrustError {
  try {
    fn();
  } catch (err) {
    return err as MimtrustError;
  }
  throw new Error('expected a refusal');
}

describe('usage counters', () => {
  it('reserves only while every key is below its limit, all keys or none', () => {
    const c = new UsageCounters({ now: () => T0 });
    const [a, b] = [hourly('a', T0), hourly('b', T0)];
    expect(c.reserve([a, b], [2, 1])).toBe(true);
    // b is at its limit: neither key is counted.
    expect(c.reserve([a, b], [2, 1])).toBe(false);
    expect(c.values.get(a)).toBe(1);
    expect(c.values.get(b)).toBe(1);
    expect(c.reserve([a], [2])).toBe(true);
    expect(c.reserve([a], [2])).toBe(false);
    expect(c.values.get(a)).toBe(2);
    // A key without a limit is never counted: a decision that names none fails closed.
    expect(c.reserve([total('x')], [])).toBe(false);
  });

  it('counts per key', () => {
    const c = new UsageCounters({ maxKeys: 3, now: () => T0 });
    c.increment([hourly('a', T0), hourly('b', T0)]);
    c.increment([hourly('a', T0)]);
    expect(c.values.get(hourly('a', T0))).toBe(2);
    expect(c.values.get(hourly('b', T0))).toBe(1);
  });

  it('when full of live windows refuses a new key (503 usage_counters_full) and forgets no count', () => {
    let now = T0;
    const c = new UsageCounters({ maxKeys: 2, now: () => now });
    c.increment([hourly('a', now)]);
    c.increment([hourly('a', now), hourly('b', now)]);
    const err = refusal(() => c.increment([hourly('mallory', now)]));
    expect(err).toBeInstanceOf(MimtrustError);
    expect(err.status).toBe(503);
    expect(err.reason).toBe('usage_counters_full');
    expect(Number(err.headers['retry-after'])).toBe(3600);
    expect(c.values.get(hourly('a', now))).toBe(2);
    expect(c.values.get(hourly('b', now))).toBe(1);
    // Existing keys still count while full.
    c.increment([hourly('a', now)]);
    expect(c.values.get(hourly('a', now))).toBe(3);
    // Just before the window closes, still full.
    now = T0 + HOUR - 1;
    expect(() => c.increment([hourly('mallory', now)])).toThrow(MimtrustError);
    // Once it has closed, the old window's keys make room.
    now = T0 + HOUR;
    c.increment([hourly('mallory', now)]);
    expect(c.values.get(hourly('mallory', now))).toBe(1);
    expect(c.values.has(hourly('a', T0))).toBe(false);
  });

  it('is all or none: a request needing two new keys where one fits adds neither', () => {
    const c = new UsageCounters({ maxKeys: 2, now: () => T0 });
    c.increment([hourly('a', T0)]);
    expect(() => c.increment([hourly('b', T0), total('b')])).toThrow(MimtrustError);
    expect(c.values.size).toBe(1);
  });

  it('never drops a lifetime count', () => {
    let now = T0;
    const c = new UsageCounters({ maxKeys: 1, now: () => now });
    c.increment([total('a')]);
    now = T0 + 365 * 24 * HOUR;
    expect(() => c.increment([total('b')])).toThrow(MimtrustError);
    expect(c.values.get(total('a'))).toBe(1);
  });
});
