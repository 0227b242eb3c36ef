/**
 * Tokens and request bodies that must be refused before anything reaches the broker:
 * a token issued in the future, one that lives too long, a holder binding the gateway
 * cannot check, an unsupported critical header, two Authorization headers, and JSON
 * nested deep enough to overflow a recursive walk.
 */
import { describe, it, expect, beforeAll, afterAll } from 'vitest';
import { startHarness, token, rawToken, ISSUER, AUDIENCE, type Harness } from '../helpers/harness.js';

let h: Harness;
const E = '/ngsi-ld/v1/entities';
const SPOT = { id: 'urn:ngsi-ld:ParkingSpot:deep', type: 'ParkingSpot', status: { type: 'Property', value: 'free' } };

beforeAll(async () => {
  // One issuer keeps the default lifetime (24 h); the local issuer is off so only it counts.
  h = await startHarness({ localIssuer: { enabled: false } });
  h.broker.seed(SPOT);
});
afterAll(async () => h?.close());

async function refused(tok: string, status: number, code: string): Promise<{ detail: string; wwwAuthenticate: unknown }> {
  const before = h.broker.requests.length;
  const res = await h.call('GET', `${E}/${SPOT.id}`, { token: tok });
  expect(res.status).toBe(status);
  const problem = res.json();
  expect(problem.code).toBe(code);
  expect(h.broker.requests.length).toBe(before);
  return { detail: problem.detail, wwwAuthenticate: res.headers['www-authenticate'] };
}

describe('token times', () => {
  it('refuses a token issued in the future beyond the clock skew, accepts one within it', async () => {
    const { detail } = await refused(await token(h.issuer, { iatOffsetSec: 600 }), 401, 'INVALID_TOKEN');
    expect(detail).toMatch(/issued in the future/);
    const ok = await h.call('GET', `${E}/${SPOT.id}`, { token: await token(h.issuer, { iatOffsetSec: 10 }) });
    expect(ok.status).toBe(200);
  });

  it('refuses a token valid for longer than 24 hours, from iat or from now without iat', async () => {
    const day = 24 * 3600;
    const long = await refused(await token(h.issuer, { expOffsetSec: day + 600 }), 401, 'INVALID_TOKEN');
    expect(long.detail).toMatch(/longer than this gateway accepts/);
    // Issued an hour ago, valid for 24 h 30 min in all: too long even though it ends within a day of now.
    await refused(await token(h.issuer, { iatOffsetSec: -3600, expOffsetSec: day - 1800 }), 401, 'INVALID_TOKEN');
    await refused(await token(h.issuer, { iatOffsetSec: null, expOffsetSec: day + 600 }), 401, 'INVALID_TOKEN');
    const ok = await h.call('GET', `${E}/${SPOT.id}`, { token: await token(h.issuer, { iatOffsetSec: null, expOffsetSec: day - 600 }) });
    expect(ok.status).toBe(200);
  });
});

describe('holder binding and critical headers', () => {
  it.each([
    ['a raw jwk', { jwk: { kty: 'EC' } }],
    ['a certificate binding plus something unknown', { 'x5t#S256': 'abc', 'x-other': 1 }],
  ])('refuses a cnf with %s', async (_name, cnf) => {
    const { detail } = await refused(await token(h.issuer, { extra: { cnf } }), 401, 'INVALID_TOKEN');
    expect(detail).toMatch(/bound to its holder in a way this gateway cannot check/);
  });

  it('names the unsupported critical header, and never a name it cannot safely show', async () => {
    const now = Math.floor(Date.now() / 1000);
    const claims = { iss: ISSUER, aud: AUDIENCE, sub: 'alice', roles: ['viewer'], iat: now, exp: now + 300 };
    const one = await refused(await rawToken(h.issuer, { crit: ['exp-policy'], 'exp-policy': 1 }, claims), 401, 'INVALID_TOKEN');
    expect(one.detail).toMatch(/critical header parameter this gateway does not support: exp-policy\./);
    expect(String(one.wwwAuthenticate)).toContain('exp-policy');
    const hostile = await refused(await rawToken(h.issuer, { crit: ['"><script>'] }, claims), 401, 'INVALID_TOKEN');
    expect(hostile.detail).not.toContain('script');
    expect(hostile.detail).toMatch(/critical header parameter/);
  });
});

describe('request shape', () => {
  it('answers 400 to two Authorization headers, even when both carry a valid token', async () => {
    const a = `Bearer ${await token(h.issuer)}`;
    const b = `Bearer ${await token(h.issuer, { roles: ['operator'] })}`;
    const before = h.broker.requests.length;
    const res = await h.call('GET', `${E}/${SPOT.id}`, { headers: { authorization: [a, b] } });
    expect(res.status).toBe(400);
    expect(res.json().detail).toMatch(/Exactly one Authorization header/);
    expect(h.broker.requests.length).toBe(before);
  });

  it('answers 400, not 500, to a body of 100 000 nested arrays, and the gateway keeps serving', async () => {
    const before = h.broker.requests.length;
    const tok = await token(h.issuer, { roles: ['operator'] });
    const res = await h.call('POST', E, { token: tok, rawBody: '['.repeat(100_000), headers: { 'content-type': 'application/json' } });
    expect(res.status).toBe(400);
    expect(res.json().detail).toMatch(/nested deeper than 64 levels/);
    const objects = await h.call('POST', E, { token: tok, rawBody: '{"a":'.repeat(50_000) + '1' + '}'.repeat(50_000), headers: { 'content-type': 'application/json' } });
    expect(objects.status).toBe(400);
    expect(h.broker.requests.length).toBe(before);
    expect((await h.call('GET', `${E}/${SPOT.id}`, { token: tok })).status).toBe(200);
  });

  it('accepts a body nested exactly to the limit, brackets inside strings not counted', async () => {
    const tok = await token(h.issuer, { roles: ['operator'] });
    let value: unknown = '[[[[{{{{';
    for (let i = 0; i < 62; i++) value = [value];
    const res = await h.call('POST', E, { token: tok, body: { id: 'urn:ngsi-ld:Thing:nested', type: 'Thing', deep: { type: 'Property', value } } });
    expect(res.status).toBe(201);
  });

  it('refuses a deeply nested body on the admin API too', async () => {
    const res = await h.call('POST', '/admin/contracts', { token: await token(h.issuer, { roles: ['contract-admin'] }), rawBody: '{"x":'.repeat(20_000), headers: { 'content-type': 'application/json' } });
    expect(res.status).toBe(400);
    expect(res.json().detail).toMatch(/nested deeper than 64 levels/);
  });
});
