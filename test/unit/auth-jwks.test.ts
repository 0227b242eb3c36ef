import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { MimtrustError } from '../../src/errors/index.js';
import { createTokenVerifier, type IssuerConfig } from '../../src/auth/index.js';
import { JwksServer, makeKey, rejection, signToken, type TestKey } from './auth-fixtures.js';

const ISS = 'https://idp.example.org';
const COOLDOWN_MS = 30_000;

/** The key set's monotonic clock, moved by hand: refresh and cooldown without waiting. */
let clock = 0;
const monotonicNow = (): number => clock;

let server: JwksServer;
let k1: TestKey;
let k2: TestKey;

beforeEach(async () => {
  clock = 1_000_000;
  k1 ??= await makeKey('RS256', 'k1');
  k2 ??= await makeKey('ES256', 'k2');
  server = await new JwksServer().start();
  server.keys = [k1.publicJwk];
});
afterEach(() => server.close());

const issuer = (): IssuerConfig => ({ issuer: ISS, jwksUri: server.uri, audience: 'gw', rolesClaim: 'roles' });
const claims = () => ({ iss: ISS, aud: 'gw', exp: Math.floor(Date.now() / 1000) + 600 });

async function reasonOf(p: Promise<unknown>): Promise<string> {
  const err = await rejection(() => p);
  expect(err).toBeInstanceOf(MimtrustError);
  return (err as MimtrustError).reason;
}

describe('remote key set', () => {
  it('fetches once, and again for an unknown kid after the cooldown: a rotated-in key verifies', async () => {
    const v = createTokenVerifier([issuer()], { jwksCooldownMs: COOLDOWN_MS, monotonicNow });
    const first = await signToken(k1, claims());
    const second = await signToken(k1, { ...claims(), jti: 'second' });
    const rotated = await signToken(k2, claims());
    await v.verify(`Bearer ${first}`);
    await v.verify(`Bearer ${second}`);
    expect(server.fetches).toBe(1);

    server.keys = [k1.publicJwk, k2.publicJwk];
    // Inside the cooldown the set is not refetched, so the new key is not known yet.
    clock += COOLDOWN_MS - 1;
    expect(await reasonOf(v.verify(`Bearer ${rotated}`))).toBe('token_key_unknown');
    expect(server.fetches).toBe(1);

    clock += 1;
    await expect(v.verify(`Bearer ${rotated}`)).resolves.toMatchObject({ issuer: ISS });
    expect(server.fetches).toBe(2);
  });

  it('a flood of random unknown kids causes at most one fetch per cooldown window', async () => {
    const v = createTokenVerifier([issuer()], { jwksCooldownMs: COOLDOWN_MS, monotonicNow });
    const batch = () =>
      Promise.all(Array.from({ length: 40 }, (_, i) => signToken(k2, { ...claims(), jti: String(i) }, { kid: `random-${Math.random()}` })));
    const [a, b, c] = [await batch(), await batch(), await batch()];
    const flood = (tokens: string[]) => Promise.all(tokens.map((t) => reasonOf(v.verify(`Bearer ${t}`))));

    await v.verify(`Bearer ${await signToken(k1, claims())}`);
    expect(server.fetches).toBe(1);
    clock += COOLDOWN_MS;

    expect(new Set(await flood(a))).toEqual(new Set(['token_key_unknown']));
    expect(server.fetches).toBe(2);
    expect(new Set(await flood(b))).toEqual(new Set(['token_key_unknown']));
    expect(server.fetches).toBe(2);

    clock += COOLDOWN_MS;
    await flood(c);
    expect(server.fetches).toBe(3);
  });

  it('denies with jwks_unavailable when the endpoint fails, and holds back retries for the cooldown', async () => {
    server.status = 500;
    const v = createTokenVerifier([issuer()], { jwksCooldownMs: COOLDOWN_MS, monotonicNow });
    const token = await signToken(k1, claims());
    expect(await reasonOf(v.verify(`Bearer ${token}`))).toBe('jwks_unavailable');
    expect(await reasonOf(v.verify(`Bearer ${token}`))).toBe('jwks_unavailable');
    expect(server.fetches).toBe(1);

    server.status = 200;
    clock += COOLDOWN_MS - 1;
    expect(await reasonOf(v.verify(`Bearer ${token}`))).toBe('jwks_unavailable');
    expect(server.fetches).toBe(1);
    clock += 1;
    await expect(v.verify(`Bearer ${token}`)).resolves.toMatchObject({ issuer: ISS });
    expect(server.fetches).toBe(2);
  });

  it('fetches the set again once it is older than jwksCacheMaxAgeMs, not before', async () => {
    const v = createTokenVerifier([issuer()], { jwksCacheMaxAgeMs: 600_000, monotonicNow });
    await v.verify(`Bearer ${await signToken(k1, claims())}`);
    clock += 599_999;
    await v.verify(`Bearer ${await signToken(k1, { ...claims(), jti: 'b' })}`);
    expect(server.fetches).toBe(1);
    clock += 1;
    await v.verify(`Bearer ${await signToken(k1, { ...claims(), jti: 'c' })}`);
    expect(server.fetches).toBe(2);
  });

  it('denies when the JWKS is not a key set, too large, or the host is unreachable', async () => {
    const token = await signToken(k1, claims());
    server.keys = 'nope' as never;
    const v1 = createTokenVerifier([issuer()]);
    expect(await reasonOf(v1.verify(`Bearer ${token}`))).toBe('jwks_unavailable');

    server.keys = [k1.publicJwk, ...Array.from({ length: 50 }, () => k2.publicJwk)];
    const v2 = createTokenVerifier([issuer()], { jwksMaxBytes: 1024 });
    expect(await reasonOf(v2.verify(`Bearer ${token}`))).toBe('jwks_unavailable');

    const closed = new JwksServer();
    await closed.start();
    const uri = closed.uri;
    await closed.close();
    const v3 = createTokenVerifier([{ ...issuer(), jwksUri: uri }]);
    const err = await rejection(() => v3.verify(`Bearer ${token}`));
    expect((err as MimtrustError).reason).toBe('jwks_unavailable');
    expect(String((err as MimtrustError).message)).not.toContain(token);
  });

  it('refuses a private key published in the remote set', async () => {
    const { exportJWK } = await import('jose');
    server.keys = [{ ...(await exportJWK(k1.privateKey)), kid: 'k1', alg: 'RS256' }];
    const v = createTokenVerifier([issuer()]);
    expect(await reasonOf(v.verify(`Bearer ${await signToken(k1, claims())}`))).toBe('jwks_unavailable');
  });

  it('warmUp fetches every remote set ahead of the first request', async () => {
    const v = createTokenVerifier([issuer(), { issuer: 'https://local', jwks: { keys: [k2.publicJwk] }, audience: 'gw', rolesClaim: 'r' }]);
    expect(await v.warmUp()).toEqual([{ issuer: ISS, ok: true }]);
    expect(server.fetches).toBe(1);
    await v.verify(`Bearer ${await signToken(k1, claims())}`);
    expect(server.fetches).toBe(1);
  });
});
