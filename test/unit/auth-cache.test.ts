import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { MimtrustError } from '../../src/errors/index.js';
import { createTokenVerifier, type IssuerConfig, type VerifiedToken } from '../../src/auth/index.js';
import { VerifiedTokenCache, tokenDigest } from '../../src/auth/token-cache.js';
import { JwksServer, makeKey, rejection, signToken, type TestKey } from './auth-fixtures.js';

const ISS = 'https://idp.example.org';
const T0 = 1_900_000_000;

let server: JwksServer;
let key: TestKey;

beforeAll(async () => {
  key = await makeKey('RS256', 'k');
  server = await new JwksServer().start();
  server.keys = [key.publicJwk];
});
afterAll(() => server.close());

const issuer = (extra: Partial<IssuerConfig> = {}): IssuerConfig => ({ issuer: ISS, jwksUri: server.uri, audience: 'gw', rolesClaim: 'roles', ...extra });

describe('verified-token cache in the verifier', () => {
  it('serves a repeated token without touching the key set, and only that token', async () => {
    let clock = T0 * 1000;
    // Key set considered stale almost at once: any key look-up would fetch again.
    const v = createTokenVerifier([issuer()], { now: () => clock, monotonicNow: () => clock, jwksCacheMaxAgeMs: 1 });
    const token = await signToken(key, { iss: ISS, aud: 'gw', exp: T0 + 600, roles: ['r'] });
    const other = await signToken(key, { iss: ISS, aud: 'gw', exp: T0 + 600, roles: ['s'] });
    const before = server.fetches;

    const first = await v.verify(`Bearer ${token}`);
    expect(server.fetches).toBe(before + 1);
    clock += 1000;
    const second = await v.verify(`Bearer ${token}`);
    expect(second).toBe(first);
    expect(server.fetches).toBe(before + 1);

    await v.verify(`Bearer ${other}`);
    expect(server.fetches).toBe(before + 2);
  });

  it('refuses a cached token once its exp has passed on the injected clock', async () => {
    let clock = T0 * 1000;
    const v = createTokenVerifier([issuer({ clockToleranceSec: 0 })], { now: () => clock });
    const token = await signToken(key, { iss: ISS, aud: 'gw', exp: T0 + 60 });
    await v.verify(`Bearer ${token}`);
    clock = (T0 + 59) * 1000;
    await expect(v.verify(`Bearer ${token}`)).resolves.toMatchObject({ exp: T0 + 60 });
    clock = (T0 + 60) * 1000;
    const err = await rejection(() => v.verify(`Bearer ${token}`));
    expect(err).toBeInstanceOf(MimtrustError);
    expect((err as MimtrustError).reason).toBe('token_expired');
  });

  it('with the default tolerance, a cached token is re-checked after exp and refused past the tolerance', async () => {
    let clock = T0 * 1000;
    const v = createTokenVerifier([issuer()], { now: () => clock });
    const token = await signToken(key, { iss: ISS, aud: 'gw', exp: T0 + 60 });
    await v.verify(`Bearer ${token}`);
    clock = (T0 + 75) * 1000;
    await expect(v.verify(`Bearer ${token}`)).resolves.toMatchObject({ exp: T0 + 60 });
    clock = (T0 + 91) * 1000;
    expect(((await rejection(() => v.verify(`Bearer ${token}`))) as MimtrustError).reason).toBe('token_expired');
  });
});

describe('VerifiedTokenCache', () => {
  const entry = (exp: number): VerifiedToken => ({ issuer: ISS, roles: [], exp, claims: { exp } });

  it('keys by a SHA-256 digest, never the token itself', () => {
    const d = tokenDigest('header.payload.signature');
    expect(d).toMatch(/^[A-Za-z0-9_-]{43}$/);
    expect(d).not.toContain('payload');
    expect(tokenDigest('header.payload.signature')).toBe(d);
  });

  it('stays within its size, evicting the oldest entry first', () => {
    const c = new VerifiedTokenCache(2, () => 0);
    c.set('a', entry(100));
    c.set('b', entry(100));
    c.set('c', entry(100));
    expect(c.size).toBe(2);
    expect(c.get('a')).toBeUndefined();
    expect(c.get('b')?.exp).toBe(100);
    expect(c.get('c')?.exp).toBe(100);
  });

  it('drops an entry at its exp and does not store one already past it', () => {
    let now = 0;
    const c = new VerifiedTokenCache(10, () => now);
    c.set('a', entry(10));
    now = 9_999;
    expect(c.get('a')).toBeDefined();
    now = 10_000;
    expect(c.get('a')).toBeUndefined();
    expect(c.size).toBe(0);
    c.set('b', entry(5));
    expect(c.size).toBe(0);
  });

  it('stores nothing with size 0 and rejects a bad size', () => {
    const c = new VerifiedTokenCache(0, () => 0);
    c.set('a', entry(100));
    expect(c.get('a')).toBeUndefined();
    expect(() => new VerifiedTokenCache(-1, () => 0)).toThrow(TypeError);
  });
});
