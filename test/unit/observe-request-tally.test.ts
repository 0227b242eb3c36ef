/**
 * The request tally must scrape exactly as prom-client's Counter and Histogram would for
 * the same requests: same text, same JSON (what a cluster primary sums), same aggregate.
 */
import { describe, expect, it } from 'vitest';
import { AggregatorRegistry, Counter, Histogram, Registry } from 'prom-client';
import { RequestTally } from '../../src/observe/request-tally.js';
import { GatewayMetrics } from '../../src/observe/metrics.js';

const BUCKETS = [0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10];
const COUNTER = { name: 'mimtrust_requests_total', help: 'Requests decided, by operation, effect and reason.' };
const HISTOGRAM = { name: 'mimtrust_request_duration_seconds', help: 'Time from a request\'s arrival to the end of its response.', buckets: BUCKETS };

function pair() {
  const reference = new Registry();
  const counter = new Counter({ ...COUNTER, labelNames: ['operation', 'effect', 'reason'], registers: [reference] });
  const histogram = new Histogram({ ...HISTOGRAM, labelNames: ['operation', 'effect'], registers: [reference] });
  const tallied = new Registry();
  const tally = new RequestTally({ registry: tallied, counter: COUNTER, histogram: HISTOGRAM });
  const add = (operation: string, effect: string, reason: string, seconds: number): void => {
    counter.inc({ operation, effect, reason });
    histogram.observe({ operation, effect }, seconds);
    tally.add(operation, effect, reason, seconds);
  };
  return { reference, tallied, add };
}

// Boundaries, both sides of them, zero, beyond the last bucket, label values that need escaping.
const REQUESTS: Array<[string, string, string, number]> = [
  ['entity.retrieve', 'permit', 'role_allows', 0.0021],
  ['entity.retrieve', 'permit', 'role_allows', 0.0005],
  ['entity.retrieve', 'deny', 'role_denied', 0.00050001],
  ['entity.query', 'permit', 'contract_allows', 0],
  ['entity.retrieve', 'permit', 'contract_allows', 10],
  ['entity.retrieve', 'permit', 'role_allows', 10.5],
  ['unclassified', 'unknown', 'unknown', 1],
  ['entity.retrieve', 'deny', 'weird "quoted"\\ \n', 0.3],
];

describe('request tally', () => {
  it('scrapes as prom-client does, in text and JSON, before, between and after scrapes', async () => {
    const { reference, tallied, add } = pair();
    expect(await tallied.metrics()).toBe(await reference.metrics());
    for (const [i, r] of REQUESTS.entries()) {
      add(...r);
      if (i % 3 === 0) {
        expect(await tallied.metrics()).toBe(await reference.metrics());
        expect(await tallied.getMetricsAsJSON()).toEqual(await reference.getMetricsAsJSON());
      }
    }
    for (let i = 0; i < 1000; i++) add(...(REQUESTS[i % REQUESTS.length] as [string, string, string, number]));
    expect(await tallied.metrics()).toBe(await reference.metrics());
    expect(await tallied.getMetricsAsJSON()).toEqual(await reference.getMetricsAsJSON());
    // The same scrape twice counts nothing twice.
    expect(await tallied.metrics()).toBe(await reference.metrics());
  });

  it('sums across workers as prom-client does', async () => {
    const a = pair();
    const b = pair();
    for (const r of REQUESTS) a.add(...r);
    for (const r of REQUESTS.slice(2)) b.add(...r);
    const sum = async (regs: Registry[]) => AggregatorRegistry.aggregate(await Promise.all(regs.map((r) => r.getMetricsAsJSON()))).metrics();
    expect(await sum([a.tallied, b.tallied])).toBe(await sum([a.reference, b.reference]));
  });

  it('refuses a duration that is not a number, as prom-client does, and counts nothing for it', async () => {
    const { tallied, reference } = pair();
    const tally = new RequestTally({ registry: new Registry(), counter: COUNTER, histogram: HISTOGRAM });
    for (const bad of [NaN, Infinity, -Infinity]) expect(() => tally.add('entity.retrieve', 'permit', 'role_allows', bad)).toThrow(TypeError);
    expect(await tallied.metrics()).toBe(await reference.metrics());
  });

  it('is what the gateway metrics count decisions with', async () => {
    const m = new GatewayMetrics();
    m.decided('entity.retrieve', 'deny', 'role_denied', 0.002);
    m.decided('entity.retrieve', 'deny', 'role_denied', 0.2);
    const text = await m.registry.metrics();
    expect(text).toContain('mimtrust_requests_total{operation="entity.retrieve",effect="deny",reason="role_denied"} 2');
    expect(text).toContain('mimtrust_request_duration_seconds_bucket{le="0.0025",operation="entity.retrieve",effect="deny"} 1');
    expect(text).toContain('mimtrust_request_duration_seconds_count{operation="entity.retrieve",effect="deny"} 2');
    expect(text).toContain('# TYPE mimtrust_request_duration_seconds histogram');
  });
});
