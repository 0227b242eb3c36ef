import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { copyFileSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { REPO, startHarness, token, type Harness } from '../helpers/harness.js';

const BASE = '/ngsi-ld/v1';
const CTX_REL = 'rel="http://www.w3.org/ns/json-ld#context"';
const CTX = 'https://uri.etsi.org/ngsi-ld/v1/ngsi-ld-core-context-v1.8.jsonld';
let h: Harness;
let policies: string;

beforeAll(async () => {
  policies = mkdtempSync(join(tmpdir(), 'mimtrust-transport-policies-'));
  copyFileSync(join(REPO, 'policies', 'model.conf'), join(policies, 'model.conf'));
  writeFileSync(join(policies, 'roles.csv'), [
    'p, operator, @default, *',
    'p, viewer-a, @default, read',
    'p, viewer-a, a, read',
    'p, city-editor, City, read',
    'p, city-editor, City, create',
  ].join('\n') + '\n');
  h = await startHarness({ enforceContracts: false, policiesDir: policies });
  h.broker.seed({ id: 'urn:ngsi-ld:ParkingSpot:t1', type: 'ParkingSpot', status: { type: 'Property', value: 'free' } });
});
afterAll(async () => {
  await h?.close();
  rmSync(policies, { recursive: true, force: true });
});

function since(before: number) {
  return h.broker.requests.slice(before);
}

describe('trailing slashes', () => {
  it.each<[string, string, unknown]>([
    ['GET', '/entities/?type=ParkingSpot', undefined],
    ['POST', '/entities/', { id: 'urn:ngsi-ld:ParkingSpot:slash', type: 'ParkingSpot' }],
    ['POST', '/entities/urn:ngsi-ld:ParkingSpot:t1/attrs/', { speed: { type: 'Property', value: 3 } }],
    ['GET', '/types/', undefined],
    ['GET', '/subscriptions/', undefined],
    ['GET', '/temporal/entities/?type=ParkingSpot', undefined],
  ])('forwards %s %s with its trailing slash, as sent', async (method, rel, body) => {
    const before = h.broker.requests.length;
    const res = await h.call(method, BASE + rel, { token: await token(h.issuer, { roles: ['operator'] }), ...(body === undefined ? {} : { body }) });
    expect(res.status).toBeLessThan(300);
    const got = since(before);
    expect(got).toHaveLength(1);
    const [path, query] = rel.split('?');
    expect(got[0]!.url).toBe(BASE + path!.replace('urn:ngsi-ld:ParkingSpot:t1', 'urn%3Angsi-ld%3AParkingSpot%3At1') + (query ? `?${query}` : ''));
  });

  it('forwards the bare form bare', async () => {
    const before = h.broker.requests.length;
    const res = await h.call('GET', `${BASE}/entities?type=ParkingSpot`, { token: await token(h.issuer, { roles: ['operator'] }) });
    expect(res.status).toBe(200);
    expect(since(before)[0]!.url).toBe(`${BASE}/entities?type=ParkingSpot`);
  });

  it.each([`${BASE}/entities//`, `${BASE}/entities//?type=ParkingSpot`, `${BASE}//entities/`, `${BASE}/entities/urn:a//attrs/`])(
    'still refuses doubled slashes: %s',
    async (path) => {
      const before = h.broker.requests.length;
      const res = await h.call('GET', path, { token: await token(h.issuer, { roles: ['operator'] }) });
      expect(res.status).toBe(400);
      expect(res.json().code).toBe('BAD_REQUEST');
      expect(since(before)).toHaveLength(0);
    },
  );

  it('decides the slash form exactly as the bare one: a reader may not create through either', async () => {
    const before = h.broker.requests.length;
    const viewer = await token(h.issuer, { roles: ['viewer-a'] });
    const body = { id: 'urn:ngsi-ld:ParkingSpot:nope', type: 'ParkingSpot' };
    expect((await h.call('POST', `${BASE}/entities/`, { token: viewer, body })).status).toBe(403);
    expect((await h.call('POST', `${BASE}/entities`, { token: viewer, body })).status).toBe(403);
    expect(since(before)).toHaveLength(0);
  });
});

describe('Link headers', () => {
  it('forwards the context link the gateway resolved, rebuilt', async () => {
    const before = h.broker.requests.length;
    const res = await h.call('GET', `${BASE}/entities?type=ParkingSpot`, {
      token: await token(h.issuer, { roles: ['operator'] }),
      headers: { link: `<${CTX}>;${CTX_REL}` },
    });
    expect(res.status).toBe(200);
    expect(since(before)[0]!.headers.link).toBe(`<${CTX}>; ${CTX_REL}; type="application/ld+json"`);
  });

  it.each([
    ['another rel beside the context', `<${CTX}>; ${CTX_REL}, <https://evil.example/ctx.jsonld>; rel="describedby"`],
    ['another rel alone', '<https://evil.example/ctx.jsonld>; rel="alternate"'],
    ['no rel at all', '<https://evil.example/ctx.jsonld>'],
  ])('refuses %s and the broker never sees it', async (_name, link) => {
    const before = h.broker.requests.length;
    const res = await h.call('GET', `${BASE}/entities?type=ParkingSpot`, { token: await token(h.issuer, { roles: ['operator'] }), headers: { link } });
    expect(res.status).toBe(400);
    expect(res.text).not.toContain('evil.example');
    expect(since(before)).toHaveLength(0);
  });

  it('refuses a second Link header line naming anything else', async () => {
    const before = h.broker.requests.length;
    const res = await h.call('GET', `${BASE}/entities?type=ParkingSpot`, {
      token: await token(h.issuer, { roles: ['operator'] }),
      headers: { link: [`<${CTX}>; ${CTX_REL}`, '<https://evil.example/ctx.jsonld>; rel="next"'] },
    });
    expect(res.status).toBe(400);
    expect(since(before)).toHaveLength(0);
  });
});

describe('tenant headers', () => {
  it('refuses Fiware-Service from a viewer allowed only in tenant a, whatever NGSILD-Tenant says', async () => {
    const viewer = await token(h.issuer, { roles: ['viewer-a'] });
    const before = h.broker.requests.length;
    const attempts: Array<Record<string, string>> = [{ 'ngsild-tenant': 'a', 'fiware-service': 'b' }, { 'fiware-service': 'b' }, { 'fiware-servicepath': '/b' }];
    for (const headers of attempts) {
      const res = await h.call('GET', `${BASE}/entities?type=ParkingSpot`, { token: viewer, headers });
      expect(res.status).toBe(400);
      expect(res.json()).toMatchObject({ status: 400, code: 'BAD_REQUEST', detail: expect.stringContaining('NGSILD-Tenant') });
    }
    expect(since(before)).toHaveLength(0);
  });

  it('decides and forwards one lowercase tenant name, whatever the spelling in the request or the policy', async () => {
    const editor = await token(h.issuer, { roles: ['city-editor'] });
    const before = h.broker.requests.length;
    const created = await h.call('POST', `${BASE}/entities`, {
      token: editor, headers: { 'ngsild-tenant': 'CITY' }, body: { id: 'urn:ngsi-ld:ParkingSpot:c1', type: 'ParkingSpot' },
    });
    expect(created.status).toBe(201);
    const read = await h.call('GET', `${BASE}/entities/urn:ngsi-ld:ParkingSpot:c1`, { token: editor, headers: { 'ngsild-tenant': 'city' } });
    expect(read.status).toBe(200);
    expect(since(before).map((r) => r.headers['ngsild-tenant'])).toEqual(['city', 'city']);
  });

  it('a role for tenant a covers A, and nothing else', async () => {
    const viewer = await token(h.issuer, { roles: ['viewer-a'] });
    const before = h.broker.requests.length;
    expect((await h.call('GET', `${BASE}/entities?type=ParkingSpot`, { token: viewer, headers: { 'ngsild-tenant': 'A' } })).status).toBe(200);
    expect((await h.call('GET', `${BASE}/entities?type=ParkingSpot`, { token: viewer, headers: { 'ngsild-tenant': 'b' } })).status).toBe(403);
    expect((await h.call('GET', `${BASE}/entities?type=ParkingSpot`, { token: viewer, headers: { 'ngsild-tenant': 'City' } })).status).toBe(403);
    expect(since(before).map((r) => r.headers['ngsild-tenant'])).toEqual(['a']);
  });
});

describe('method-override headers', () => {
  it.each(['x-http-method-override', 'x-http-method', 'x-method-override'])('refuses %s and forwards nothing', async (name) => {
    const viewer = await token(h.issuer, { roles: ['viewer-a'] });
    const before = h.broker.requests.length;
    const res = await h.call('GET', `${BASE}/entities/urn:ngsi-ld:ParkingSpot:t1`, { token: viewer, headers: { [name]: 'DELETE' } });
    expect(res.status).toBe(400);
    expect(since(before)).toHaveLength(0);
    expect((await h.call('GET', `${BASE}/entities/urn:ngsi-ld:ParkingSpot:t1`, { token: viewer })).status).toBe(200);
  });
});
