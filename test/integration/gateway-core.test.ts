import { describe, it, expect, beforeAll, afterAll } from 'vitest';
import { SignJWT, base64url, exportSPKI } from 'jose';
import { createPublicKey } from 'node:crypto';
import { request as httpsRequest } from 'node:https';
import { startHarness, token, ISSUER, type Harness } from '../helpers/harness.js';

let h: Harness;
const E = '/ngsi-ld/v1/entities';

beforeAll(async () => {
  h = await startHarness();
  h.broker.seed({ id: 'urn:ngsi-ld:ParkingSpot:1', type: 'ParkingSpot', status: { type: 'Property', value: 'free' } });
  h.broker.seed({ id: 'urn:ngsi-ld:ParkingSpot:2', type: 'ParkingSpot', status: { type: 'Property', value: 'occupied' } });
  h.broker.seed({ id: 'urn:ngsi-ld:ParkingSpot:3', type: 'ParkingSpot', status: { type: 'Property', value: 'free' } });
});
afterAll(async () => h?.close());

function lastForwarded() {
  return h.broker.requests[h.broker.requests.length - 1];
}

describe('tokens', () => {
  it('accepts a valid RFC 9068 token and passes the response through', async () => {
    const res = await h.call('GET', `${E}/urn:ngsi-ld:ParkingSpot:1`, { token: await token(h.issuer) });
    expect(res.status).toBe(200);
    expect(res.json()).toMatchObject({ id: 'urn:ngsi-ld:ParkingSpot:1', status: { value: 'free' } });
  });

  it('answers 401 with WWW-Authenticate and a ProblemDetails body when there is no token', async () => {
    const before = h.broker.requests.length;
    const res = await h.call('GET', E + '?type=ParkingSpot');
    expect(res.status).toBe(401);
    expect(res.headers['www-authenticate']).toMatch(/^Bearer realm="mimtrust"/);
    expect(res.headers['content-type']).toMatch(/application\/json/);
    const p = res.json();
    expect(p).toMatchObject({ status: 401, title: expect.any(String), detail: expect.any(String), type: expect.stringMatching(/^https:\/\//) });
    expect(p.requestId).toMatch(/^[0-9a-f-]{36}$/);
    expect(h.broker.requests.length).toBe(before);
  });

  const bad: Array<[string, () => Promise<string>]> = [
    ['expired', () => token(h.issuer, { expOffsetSec: -120 })],
    ['not yet valid', () => token(h.issuer, { nbfOffsetSec: 600 })],
    ['wrong issuer', () => token(h.issuer, { iss: 'https://evil.example' })],
    ['wrong audience', () => token(h.issuer, { aud: 'someone-else' })],
    ['typ missing', () => token(h.issuer, { typ: null })],
    ['typ JWT', () => token(h.issuer, { typ: 'JWT' })],
    ['unknown kid', () => token(h.issuer, { kid: 'nobody-knows-this-key' })],
    ['alg none', async () => {
      const now = Math.floor(Date.now() / 1000);
      const header = base64url.encode(JSON.stringify({ alg: 'none', typ: 'at+jwt' }));
      const payload = base64url.encode(JSON.stringify({ iss: ISSUER, aud: 'mimtrust-gateway', sub: 'mallory', roles: ['operator'], exp: now + 300, iat: now }));
      return `${header}.${payload}.`;
    }],
    ['HS256 signed with the public key', async () => {
      const pem = await exportSPKI(createPublicKey({ key: h.issuer.jwks.keys[0] as never, format: 'jwk' }));
      const now = Math.floor(Date.now() / 1000);
      return new SignJWT({ roles: ['operator'] })
        .setProtectedHeader({ alg: 'HS256', typ: 'at+jwt', kid: h.issuer.kid })
        .setIssuer(ISSUER).setAudience('mimtrust-gateway').setSubject('mallory').setIssuedAt(now).setExpirationTime(now + 300)
        .sign(new TextEncoder().encode(pem));
    }],
    ['tampered payload', async () => {
      const [hd, , sig] = (await token(h.issuer)).split('.');
      const payload = base64url.encode(JSON.stringify({ iss: ISSUER, aud: 'mimtrust-gateway', sub: 'mallory', roles: ['operator'], exp: Math.floor(Date.now() / 1000) + 300 }));
      return `${hd}.${payload}.${sig}`;
    }],
  ];
  for (const [name, make] of bad) {
    it(`refuses a token that is ${name} with 401 and never reaches the broker`, async () => {
      const t = await make();
      const before = h.broker.requests.length;
      const res = await h.call('GET', E + '?type=ParkingSpot', { token: t });
      expect(res.status).toBe(401);
      expect(res.headers['www-authenticate']).toMatch(/error="invalid_token"/);
      expect(res.text).not.toContain(t);
      expect(res.text).not.toContain(t.split('.')[1]!);
      expect(h.broker.requests.length).toBe(before);
    });
  }

  it('refuses "Basic" credentials and a malformed bearer value', async () => {
    expect((await h.call('GET', E + '?type=ParkingSpot', { headers: { authorization: 'Basic YTpi' } })).status).toBe(401);
    const t = await token(h.issuer);
    expect((await h.call('GET', E + '?type=ParkingSpot', { headers: { authorization: `Bearer ${t} ${t}` } })).status).toBe(401);
    expect((await h.call('GET', E + '?type=ParkingSpot', { headers: { authorization: 'Bearer' } })).status).toBe(401);
  });
});

describe('roles and tenants', () => {
  it('denies a write to a viewer with 403 and a decision id', async () => {
    const res = await h.call('POST', E, { token: await token(h.issuer, { roles: ['viewer'] }), body: { id: 'urn:ngsi-ld:ParkingSpot:9', type: 'ParkingSpot' } });
    expect(res.status).toBe(403);
    const p = res.json();
    expect(p.decisionId).toMatch(/^[0-9a-f-]{36}$/);
    expect(p.detail).toContain('create');
  });

  it('denies a role in a tenant it has no grant for', async () => {
    const res = await h.call('GET', E + '?type=ParkingSpot', { token: await token(h.issuer, { roles: ['mobility-editor'] }), headers: { 'ngsild-tenant': 'parking' } });
    expect(res.status).toBe(403);
    const ok = await h.call('GET', E + '?type=ParkingSpot', { token: await token(h.issuer, { roles: ['mobility-editor'] }), headers: { 'ngsild-tenant': 'mobility' } });
    expect(ok.status).toBe(200);
    expect(ok.headers['ngsild-tenant']).toBe('mobility');
  });

  it('denies a token without roles', async () => {
    expect((await h.call('GET', E + '?type=ParkingSpot', { token: await token(h.issuer, { roles: [] }) })).status).toBe(403);
  });
});

describe('forwarding', () => {
  it('passes Results-Count, Link (context and next page), tenant and content type through intact', async () => {
    const res = await h.call('GET', `${E}?type=ParkingSpot&count=true&limit=1`, { token: await token(h.issuer), headers: { 'ngsild-tenant': 'mobility' } });
    expect(res.status).toBe(200);
    // tenant "mobility" is empty in the broker: count 0, and the viewer may read every tenant
    expect(res.headers['ngsild-results-count']).toBe('0');
    const all = await h.call('GET', `${E}?type=ParkingSpot&count=true&limit=1`, { token: await token(h.issuer) });
    expect(all.headers['ngsild-results-count']).toBe('3');
    expect(String(all.headers.link)).toContain('rel="http://www.w3.org/ns/json-ld#context"');
    expect(String(all.headers.link)).toContain('rel="next"');
    expect(all.headers['content-type']).toBe('application/json');
    expect(all.json()).toHaveLength(1);
  });

  it('returns Location on 201 and forwards neither the caller\'s Authorization nor its X-Forwarded-For', async () => {
    const t = await token(h.issuer, { roles: ['provider'] });
    const res = await h.call('POST', E, { token: t, body: { id: 'urn:ngsi-ld:ParkingSpot:new', type: 'ParkingSpot' }, headers: { 'x-forwarded-for': '6.6.6.6' } });
    expect(res.status).toBe(201);
    expect(res.headers.location).toBe('/ngsi-ld/v1/entities/urn%3Angsi-ld%3AParkingSpot%3Anew');
    const fwd = lastForwarded()!;
    expect(fwd.headers.authorization).toBeUndefined();
    expect(fwd.headers['x-forwarded-for']).toBe('127.0.0.1');
    expect(fwd.headers['x-forwarded-proto']).toBe('https');
  });

  it('does not forward hop-by-hop headers, nor headers the caller lists in Connection', async () => {
    const t = await token(h.issuer);
    // node:https sends the headers as written (undici refuses a custom Connection header).
    const status = await new Promise<number>((resolve, reject) => {
      const req = httpsRequest(h.gateway.url.replace('127.0.0.1', 'localhost') + `${E}/urn:ngsi-ld:ParkingSpot:1`, {
        ca: h.ca,
        headers: { authorization: `Bearer ${t}`, connection: 'keep-alive, x-internal-secret', 'x-internal-secret': 's3cret', te: 'trailers', 'proxy-authorization': 'Basic eA==', 'x-keep': 'yes' },
      }, (res) => { res.resume(); res.on('end', () => resolve(res.statusCode!)); });
      req.on('error', reject);
      req.end();
    });
    expect(status).toBe(200);
    const fwd = lastForwarded()!;
    expect(fwd.headers['x-internal-secret']).toBeUndefined();
    expect(fwd.headers['proxy-authorization']).toBeUndefined();
    expect(fwd.headers.te).toBeUndefined();
    expect(fwd.headers['x-keep']).toBe('yes');
  });

  it('forwards the body exactly as checked: a duplicated key cannot mean one thing to the gateway and another to the broker', async () => {
    const t = await token(h.issuer, { roles: ['provider'] });
    const raw = '{"id":"urn:ngsi-ld:ParkingSpot:dup","type":"Forbidden","type":"ParkingSpot"}';
    const res = await h.call('POST', E, { token: t, rawBody: raw, headers: { 'content-type': 'application/json' } });
    expect(res.status).toBe(201);
    expect(JSON.parse(lastForwarded()!.body)).toEqual({ id: 'urn:ngsi-ld:ParkingSpot:dup', type: 'ParkingSpot' });
    expect(lastForwarded()!.body).not.toContain('Forbidden');
  });

  it('sets API security headers and refuses other media types and oversized bodies', async () => {
    const t = await token(h.issuer, { roles: ['provider'] });
    const ok = await h.call('GET', `${E}/urn:ngsi-ld:ParkingSpot:1`, { token: t });
    expect(ok.headers['strict-transport-security']).toMatch(/max-age=/);
    expect(ok.headers['x-content-type-options']).toBe('nosniff');
    expect(ok.headers['content-security-policy']).toContain("default-src 'none'");
    const xml = await h.call('POST', E, { token: t, rawBody: '<x/>', headers: { 'content-type': 'application/xml' } });
    expect(xml.status).toBe(415);
    const big = await h.call('POST', E, { token: t, rawBody: JSON.stringify({ id: 'urn:x', type: 'T', v: 'x'.repeat(2 * 1024 * 1024) }), headers: { 'content-type': 'application/json' } });
    expect(big.status).toBe(413);
    const bad = await h.call('POST', E, { token: t, rawBody: '{"id": ', headers: { 'content-type': 'application/json' } });
    expect(bad.status).toBe(400);
    expect(bad.json().type).toMatch(/BadRequestData|InvalidRequest/);
  });
});

describe('path and query canonicalisation', () => {
  const tricks = [
    `${E}/../subscriptions`,
    `${E}/%2e%2e/subscriptions`,
    `${E}/.%2E/subscriptions`,
    `/ngsi-ld/v1//entities`,
    `/ngsi-ld/v1/./entities`,
    `${E}/urn:a%00b`,
    `${E}/%zz`,
    `/ngsi-ld/v1/entities\\..\\subscriptions`,
    `/ngsi-ld/v1/snapshots`,
    `/admin`,
  ];
  for (const path of tricks) {
    it(`refuses ${path} without forwarding anything`, async () => {
      const before = h.broker.requests.length;
      const res = await h.call('GET', path, { token: await token(h.issuer, { roles: ['operator'] }) });
      expect([400, 404]).toContain(res.status);
      expect(res.json().status).toBe(res.status);
      expect(h.broker.requests.length).toBe(before);
    });
  }

  it('decides a path it has read before afresh for another method, and still refuses its other spellings', async () => {
    const viewer = await token(h.issuer, { roles: ['viewer'] });
    const spot = `${E}/urn:ngsi-ld:ParkingSpot:1`;
    // Read twice: the second classification finds the path already worked out.
    for (let i = 0; i < 2; i++) expect((await h.call('GET', spot, { token: viewer })).status).toBe(200);
    const before = h.broker.requests.length;
    const del = await h.call('DELETE', spot, { token: viewer });
    expect(del.status).toBe(403);
    expect(del.json().detail).toContain('delete');
    for (const other of [`${spot}/..`, `${spot}/%2e%2e/..`, `${E}/./urn:ngsi-ld:ParkingSpot:1`, `${E}//urn:ngsi-ld:ParkingSpot:1`, `${spot}\\..`]) {
      const res = await h.call('GET', other, { token: viewer });
      expect([400, 404]).toContain(res.status);
    }
    expect(h.broker.requests.length).toBe(before);
  });

  it('refuses repeated query parameters', async () => {
    const before = h.broker.requests.length;
    const res = await h.call('GET', `${E}?type=ParkingSpot&type=Person`, { token: await token(h.issuer) });
    expect(res.status).toBe(400);
    expect(h.broker.requests.length).toBe(before);
  });

  it('keeps an encoded slash inside the entity id and forwards the canonical form', async () => {
    h.broker.seed({ id: 'https://example.org/spots/7', type: 'ParkingSpot' });
    const res = await h.call('GET', `${E}/https%3A%2F%2Fexample.org%2Fspots%2F7`, { token: await token(h.issuer) });
    expect(res.status).toBe(200);
    expect(res.json().id).toBe('https://example.org/spots/7');
    expect(lastForwarded()!.url).toBe('/ngsi-ld/v1/entities/https%3A%2F%2Fexample.org%2Fspots%2F7');
  });

  it('forwards exactly the query that was checked, in canonical order', async () => {
    const res = await h.call('GET', `${E}?limit=2&type=ParkingSpot&count=true`, { token: await token(h.issuer) });
    expect(res.status).toBe(200);
    expect(lastForwarded()!.url).toBe('/ngsi-ld/v1/entities?count=true&limit=2&type=ParkingSpot');
  });
});
