/**
 * Running it like infrastructure, over HTTPS: one access line per request that names the
 * route, status, decision and reason but nothing the caller sent (no token, header, path
 * id or query value); the log level honoured; Prometheus metrics on their own listener,
 * counting each decision; /ready following the broker; /version.
 */
import { describe, it, expect, beforeAll, afterAll } from 'vitest';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { ISSUER, REPO, startHarness, token, type Harness } from '../helpers/harness.js';
import { startMiniBroker } from '../helpers/mini-broker.mjs';

const PERSON = 'urn:ngsi-ld:Person:alice-smith-1984';
const QUERY_VALUE = 'alice.smith@example.org';
const COOKIE = 'session=cookie-secret-41';
const DPOP = 'dpop-proof-secret-42';

async function scrape(url: string): Promise<string> {
  const res = await fetch(url);
  expect(res.status).toBe(200);
  return res.text();
}

/** The value of one sample (0 when the series does not exist yet). */
function sample(text: string, series: string): number {
  const line = text.split('\n').find((l) => l.startsWith(`${series} `));
  return line === undefined ? 0 : Number(line.slice(series.length + 1));
}

/** /ready is answered from a cache of about a second: ask until it says what the test waits for. */
async function readyStatus(h: Harness, want: number): Promise<{ status: number; json: () => any }> {
  for (;;) {
    const res = await h.call('GET', '/ready');
    if (res.status === want) return res;
    await sleep(200);
  }
}

describe('access line, metrics and readiness', () => {
  let h: Harness;
  beforeAll(async () => {
    h = await startHarness({ metrics: { port: 0 } });
  });
  afterAll(async () => h?.close());

  it('logs a refusal with its route, status, decision and reason, and none of what the caller sent', async () => {
    const t = await token(h.issuer, { roles: ['nobody'] });
    const logged = h.nextRecord((r) => r.status === 403);
    const res = await h.call('GET', `/ngsi-ld/v1/entities/${encodeURIComponent(PERSON)}?attrs=email`, {
      token: t,
      headers: { cookie: COOKIE, dpop: DPOP },
    });
    expect(res.status, res.text).toBe(403);
    const line = await logged;
    expect(line).toMatchObject({
      level: 'info',
      msg: 'GET /ngsi-ld/v1/entities/{entityId} 403',
      method: 'GET',
      route: '/ngsi-ld/v1/entities/{entityId}',
      operation: 'entity.retrieve',
      status: 403,
      decisionId: res.json().decisionId,
      effect: 'deny',
      reason: res.json().reason,
    });
    expect(typeof line.ms).toBe('number');
    expect(line.time).toMatch(/^\d{4}-\d\d-\d\dT/);
    const all = h.logLines.join('');
    for (const secret of [t, t.split('.')[2]!, 'alice-smith', 'cookie-secret-41', DPOP, 'attrs=']) {
      expect(all).not.toContain(secret);
    }
  });

  it('counts each decision by operation, effect and reason', async () => {
    const t = await token(h.issuer, { roles: ['nobody'] });
    const series = 'mimtrust_requests_total{operation="entity.retrieve",effect="deny",reason="role_denied"}';
    const before = sample(await scrape(h.gateway.metricsUrl!), series);
    const res = await h.call('GET', '/ngsi-ld/v1/entities/urn:ngsi-ld:ParkingSpot:1', { token: t });
    expect(res.json().reason).toBe('role_denied');
    const after = await scrape(h.gateway.metricsUrl!);
    expect(sample(after, series)).toBe(before + 1);
    expect(sample(after, `mimtrust_jwks_fetches_total{issuer="${ISSUER}",outcome="ok"}`)).toBeGreaterThanOrEqual(1);
    expect(sample(after, 'mimtrust_audit_fsync_duration_seconds_count')).toBeGreaterThan(0);
    for (const name of ['mimtrust_request_duration_seconds_bucket', 'mimtrust_upstream_duration_seconds_bucket', 'mimtrust_audit_pending', 'mimtrust_contracts_revision', 'process_cpu_user_seconds_total']) {
      expect(after).toContain(name);
    }
  });

  it('serves metrics only on their own listener', async () => {
    const res = await h.call('GET', '/metrics');
    expect(res.status).not.toBe(200);
    expect(res.text).not.toContain('mimtrust_requests_total');
    expect(h.gateway.metricsUrl).toMatch(/^http:\/\/127\.0\.0\.1:\d+\/metrics$/);
  });

  it('answers /version without a token, naming nothing but the name and versions', async () => {
    const res = await h.call('GET', '/version');
    expect(res.status).toBe(200);
    const pkg = JSON.parse(readFileSync(join(REPO, 'package.json'), 'utf8'));
    expect(res.json()).toEqual({ name: 'mimtrust', version: pkg.version, node: process.version });
  });

  it('is ready while the broker answers, not while it is down (502 logged and counted), and ready again once it is back', async () => {
    const ready = await readyStatus(h, 200);
    expect(ready.json()).toEqual({ status: 'ready', checks: { broker: 'ok', store: 'ok', contracts: 'ok', roles: 'ok' } });

    const port = h.broker.port;
    await h.broker.close();
    const notReady = await readyStatus(h, 503);
    expect(notReady.json()).toMatchObject({ status: 503, code: 'SERVICE_UNAVAILABLE', reason: 'not_ready', checks: { broker: 'failed', store: 'ok' } });
    expect(notReady.json().detail).toBe('Not ready: broker.');

    const t = await token(h.issuer);
    const before = sample(await scrape(h.gateway.metricsUrl!), 'mimtrust_upstream_errors_total{kind="upstream_unreachable"}');
    const logged = h.nextRecord((r) => r.status === 502);
    const res = await h.call('GET', `/ngsi-ld/v1/entities?type=Person&q=email==%22${encodeURIComponent(QUERY_VALUE)}%22`, { token: t });
    expect(res.status).toBe(502);
    expect(await logged).toMatchObject({
      route: '/ngsi-ld/v1/entities', operation: 'entity.query', status: 502, effect: 'deny', reason: 'upstream_unreachable', decisionId: res.json().decisionId,
    });
    expect(sample(await scrape(h.gateway.metricsUrl!), 'mimtrust_upstream_errors_total{kind="upstream_unreachable"}')).toBe(before + 1);
    const all = h.logLines.join('');
    expect(all).not.toContain(t);
    expect(all).not.toContain(QUERY_VALUE);
    expect(all).not.toContain('q=');

    const broker = await startMiniBroker({ port });
    try {
      expect((await readyStatus(h, 200)).json().checks.broker).toBe('ok');
    } finally {
      await broker.close();
    }
  });
});

describe('log level', () => {
  it('leaves out debug lines at info, and writes them at debug', async () => {
    const info = await startHarness();
    try {
      await info.call('GET', '/health');
      const next = info.nextRecord((r) => r.route === '/version');
      await info.call('GET', '/version');
      await next;
      expect(info.logLines.length).toBeGreaterThan(0);
      expect(info.logLines.filter((l) => JSON.parse(l).level === 'debug')).toEqual([]);
      expect(info.logLines.some((l) => l.includes('"route":"/health"'))).toBe(false);
    } finally {
      await info.close();
    }
    const debug = await startHarness({ logLevel: 'debug' });
    try {
      const probe = debug.nextRecord((r) => r.route === '/health');
      await debug.call('GET', '/health');
      expect(await probe).toMatchObject({ level: 'debug', method: 'GET', status: 200 });
    } finally {
      await debug.close();
    }
  });
});
