/**
 * Readiness: named checks, one failing makes the whole not ready and is named; answers are
 * reused for the interval and shared by concurrent callers, so /ready cannot be used to
 * send the broker more than one probe per interval.
 */
import { describe, it, expect } from 'vitest';
import { Readiness } from '../../src/observe/index.js';

function counting(fail: () => boolean) {
  const c = { calls: 0, check: async () => { c.calls++; if (fail()) throw new Error('down'); } };
  return c;
}

describe('readiness', () => {
  it('is ready only when every check passes, and names each', async () => {
    let brokerDown = true;
    const broker = counting(() => brokerDown);
    const store = counting(() => false);
    let now = 0;
    const r = new Readiness([['broker', broker.check], ['store', store.check]], { ttlMs: 1000, now: () => now });
    expect(await r.report()).toEqual({ ready: false, checks: { broker: 'failed', store: 'ok' } });
    brokerDown = false;
    now = 1000;
    expect(await r.report()).toEqual({ ready: true, checks: { broker: 'ok', store: 'ok' } });
  });

  it('asks each check at most once per interval, however often and however concurrently it is asked', async () => {
    const broker = counting(() => false);
    let now = 0;
    const r = new Readiness([['broker', broker.check]], { ttlMs: 1000, now: () => now });
    await Promise.all(Array.from({ length: 50 }, () => r.report()));
    now = 999;
    await r.report();
    expect(broker.calls).toBe(1);
    now = 1000;
    await r.report();
    expect(broker.calls).toBe(2);
  });
});
