/**
 * CORS for browser dashboards, over HTTPS against the real gateway: a preflight from a
 * listed origin is answered without a token and goes nowhere (not to the broker, not into
 * the audit log); any other origin gets no CORS header at all; the broker's own CORS
 * headers never reach the browser.
 */
import { describe, it, expect, beforeAll, afterAll } from 'vitest';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { startHarness, token, type Harness } from '../helpers/harness.js';

const DASHBOARD = 'https://dash.city.example';
const E = '/ngsi-ld/v1/entities';

/** CORS for the dashboard, every API mounted. */
let h: Harness;
/** CORS for another origin, with credentials and a short preflight cache. */
let credentialed: Harness;
/** No origin configured: CORS off. */
let off: Harness;

beforeAll(async () => {
  h = await startHarness({ cors: { origins: [DASHBOARD, 'http://localhost:5173'] }, pdp: { enabled: true } });
  h.broker.seed({ id: 'urn:ngsi-ld:Tram:1', type: 'Tram', line: { type: 'Property', value: '4' } });
  credentialed = await startHarness({ cors: { origins: [DASHBOARD], allowCredentials: true, maxAgeSec: 60 } });
  off = await startHarness();
});
afterAll(async () => {
  await h?.close();
  await credentialed?.close();
  await off?.close();
});

function auditCount(x: Harness): number {
  const db = new Database(join(x.dir, 'mimtrust.db'), { readonly: true });
  try {
    return (db.prepare('SELECT COUNT(*) AS n FROM audit_records').get() as { n: number }).n;
  } finally {
    db.close();
  }
}

const preflight = (x: Harness, path: string, origin: string, method = 'GET') => x.call('OPTIONS', path, {
  headers: { origin, 'access-control-request-method': method, 'access-control-request-headers': 'authorization, link, ngsild-tenant' },
});

const corsHeaders = (headers: Record<string, unknown>) => Object.keys(headers).filter((n) => n.startsWith('access-control-'));

describe('a preflight from a listed origin', () => {
  it('is answered 204 without a token, with the methods and headers the APIs take', async () => {
    for (const [path, method] of [[`${E}?type=Tram`, 'GET'], [`${E}/urn:ngsi-ld:Tram:1/attrs`, 'PATCH'], ['/admin/contracts', 'POST'], ['/pdp/v1/decisions', 'POST'], ['/openapi.json', 'GET']] as const) {
      const res = await preflight(h, path, DASHBOARD, method);
      expect(res.status, path).toBe(204);
      expect(res.text).toBe('');
      expect(res.headers['access-control-allow-origin']).toBe(DASHBOARD);
      expect(String(res.headers['access-control-allow-methods']).split(', ')).toEqual(expect.arrayContaining(['GET', 'POST', 'PUT', 'PATCH', 'DELETE']));
      expect(String(res.headers['access-control-allow-headers']).toLowerCase().split(', ')).toEqual(expect.arrayContaining(['authorization', 'content-type', 'link', 'ngsild-tenant']));
      expect(res.headers['access-control-max-age']).toBe('600');
      expect(res.headers['access-control-allow-credentials']).toBeUndefined();
      expect(res.headers.vary).toBe('Origin');
      // The security headers every answer carries.
      expect(res.headers['x-content-type-options']).toBe('nosniff');
    }
  });

  it('never reaches the broker and never writes an audit record', async () => {
    const requests = h.broker.requests.length;
    const records = auditCount(h);
    expect((await preflight(h, `${E}?type=Tram`, DASHBOARD)).status).toBe(204);
    expect((await preflight(h, `${E}/urn:ngsi-ld:Tram:1`, 'http://localhost:5173', 'DELETE')).status).toBe(204);
    expect(h.broker.requests.length).toBe(requests);
    expect(auditCount(h)).toBe(records);
  });

  it('says so about credentials and its cache time as configured', async () => {
    const res = await preflight(credentialed, E, DASHBOARD);
    expect(res.headers['access-control-allow-credentials']).toBe('true');
    expect(res.headers['access-control-max-age']).toBe('60');
  });
});

describe('an origin not listed', () => {
  it('gets no CORS header: its preflight is an OPTIONS request without a token, refused and audited, and never reaches the broker', async () => {
    const requests = h.broker.requests.length;
    const records = auditCount(h);
    for (const origin of ['https://evil.example', 'https://dash.city.example.evil.example', 'null', 'https://DASH.city.example']) {
      const res = await preflight(h, `${E}?type=Tram`, origin);
      expect(res.status, origin).toBe(401);
      expect(corsHeaders(res.headers), origin).toEqual([]);
      expect(res.headers.vary).toBe('Origin');
    }
    expect(h.broker.requests.length).toBe(requests);
    expect(auditCount(h)).toBe(records + 4);
    const read = await h.call('GET', `${E}?type=Tram`, { token: await token(h.issuer), headers: { origin: 'https://evil.example' } });
    expect(read.status).toBe(200);
    expect(corsHeaders(read.headers)).toEqual([]);
  });

  it('and with no origin configured, CORS is off', async () => {
    const res = await preflight(off, `${E}?type=Tram`, DASHBOARD);
    expect(res.status).toBe(401);
    expect(corsHeaders(res.headers)).toEqual([]);
    expect(res.headers.vary).toBeUndefined();
  });
});

describe('a request from a listed origin', () => {
  it('gets its origin allowed and the NGSI-LD headers exposed, as the broker sent them', async () => {
    const res = await h.call('GET', `${E}?type=Tram&count=true`, { token: await token(h.issuer), headers: { origin: DASHBOARD } });
    expect(res.status).toBe(200);
    expect(res.headers['access-control-allow-origin']).toBe(DASHBOARD);
    expect(res.headers['access-control-allow-credentials']).toBeUndefined();
    const exposed = String(res.headers['access-control-expose-headers']).split(', ');
    expect(exposed).toEqual(expect.arrayContaining(['Link', 'Location', 'NGSILD-Results-Count', 'NGSILD-Tenant', 'WWW-Authenticate']));
    expect(res.headers['ngsild-results-count']).toBe('1');
    expect(res.headers.link).toBeDefined();
    expect(String(res.headers.vary)).toContain('Origin');
  });

  it('gets its refusals readable too, the token challenge exposed', async () => {
    const res = await h.call('GET', `${E}?type=Tram`, { headers: { origin: DASHBOARD } });
    expect(res.status).toBe(401);
    expect(res.headers['access-control-allow-origin']).toBe(DASHBOARD);
    expect(res.headers['www-authenticate']).toBeDefined();
    expect(res.json().code).toBe('UNAUTHENTICATED');
  });

  it('never gets the broker\'s CORS headers, whatever the broker allows', async () => {
    h.broker.setFault((req) => (req.url?.includes('type=Tram') ? {
      status: 200,
      body: '[]',
      headers: { 'access-control-allow-origin': '*', 'access-control-allow-credentials': 'true', 'access-control-expose-headers': '*', vary: 'Accept' },
    } : undefined));
    off.broker.setFault((req) => (req.url?.includes('type=Tram') ? { status: 200, body: '[]', headers: { 'access-control-allow-origin': '*' } } : undefined));
    try {
      const listed = await h.call('GET', `${E}?type=Tram`, { token: await token(h.issuer), headers: { origin: DASHBOARD } });
      expect(listed.status).toBe(200);
      expect(listed.headers['access-control-allow-origin']).toBe(DASHBOARD);
      expect(listed.headers['access-control-allow-credentials']).toBeUndefined();
      expect(listed.headers['access-control-expose-headers']).not.toBe('*');
      expect(listed.headers.vary).toBe('Accept, Origin');
      const other = await h.call('GET', `${E}?type=Tram`, { token: await token(h.issuer), headers: { origin: 'https://evil.example' } });
      expect(corsHeaders(other.headers)).toEqual([]);
      const unconfigured = await off.call('GET', `${E}?type=Tram`, { token: await token(off.issuer), headers: { origin: 'https://evil.example' } });
      expect(unconfigured.status).toBe(200);
      expect(corsHeaders(unconfigured.headers)).toEqual([]);
    } finally {
      h.broker.setFault(undefined);
      off.broker.setFault(undefined);
    }
  });
});

describe('paths meant for other servers', () => {
  it('the ext_authz service decides a preflight like any request: never a CORS answer a proxy would take for an allow', async () => {
    const res = await preflight(h, `/pdp/v1/ext_authz${E}?type=Tram`, DASHBOARD);
    expect(res.status).toBe(401);
    expect(corsHeaders(res.headers)).toEqual([]);
  });
});
