import { inspect } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { exportSPKI, exportJWK, SignJWT, base64url } from 'jose';
import { MimtrustError } from '../../src/errors/index.js';
import { createTokenVerifier, type IssuerConfig } from '../../src/auth/index.js';
import { JwksServer, makeKey, rejection, signToken, type TestKey } from './auth-fixtures.js';

const ISS = 'https://idp.example.org/realms/city';
const AUD = 'mimtrust';
const NOW_S = 1_800_000_000;
const now = () => NOW_S * 1000;

let server: JwksServer;
let rsa: TestKey;
let ec: TestKey;

beforeAll(async () => {
  rsa = await makeKey('RS256', 'rsa-1');
  ec = await makeKey('ES256', 'ec-1');
  server = await new JwksServer().start();
  server.keys = [rsa.publicJwk];
});
afterAll(() => server.close());

function remoteIssuer(extra: Partial<IssuerConfig> = {}): IssuerConfig {
  return { issuer: ISS, jwksUri: server.uri, audience: [AUD, 'other'], rolesClaim: 'roles', ...extra };
}

const base = (extra: Record<string, unknown> = {}) => ({ iss: ISS, aud: AUD, sub: 'citizen-42', exp: NOW_S + 300, iat: NOW_S, ...extra });

async function expectInvalid(promise: Promise<unknown>, reason: string, token?: string): Promise<MimtrustError> {
  const err = await rejection(() => promise);
  expect(err).toBeInstanceOf(MimtrustError);
  const e = err as MimtrustError;
  expect(e.code).toBe('INVALID_TOKEN');
  expect(e.status).toBe(401);
  expect(e.reason).toBe(reason);
  expect(e.headers['www-authenticate']).toMatch(/^Bearer realm="mimtrust", error="invalid_token", error_description="[^"\\]+"$/);
  if (token !== undefined) expectNoLeak(e, token);
  return e;
}

/** Neither the token nor any of its parts, nor a claim value, may appear anywhere in the error. */
function expectNoLeak(e: MimtrustError, token: string): void {
  const seen = [e.message, String(e.stack), JSON.stringify(e.headers), inspect(e.cause), JSON.stringify(e)].join('\n');
  for (const part of token.split('.').filter((p) => p.length > 8)) expect(seen).not.toContain(part);
  expect(seen).not.toContain('citizen-42');
}

describe('valid tokens', () => {
  it('accepts an RS256 at+jwt from a remote JWKS and extracts its facts', async () => {
    const v = createTokenVerifier([remoteIssuer({ tenantsClaim: 'tenants' })], { now });
    const token = await signToken(rsa, base({
      roles: ['city-operator', 'viewer'], client_id: 'traffic-app', azp: 'ignored', scope: 'read write,extra',
      purpose: 'https://w3id.org/dpv#ServiceProvision', tenants: 'Mobility,parking', cnf: { 'x5t#S256': 'abc' },
    }));
    const t = await v.verify(`Bearer ${token}`);
    expect(t).toMatchObject({
      issuer: ISS, sub: 'citizen-42', clientId: 'traffic-app', roles: ['city-operator', 'viewer'],
      scope: ['read', 'write,extra'], purpose: 'https://w3id.org/dpv#ServiceProvision', tenants: ['mobility', 'parking'],
      exp: NOW_S + 300, cnf: { 'x5t#S256': 'abc' },
    });
    expect(t.claims.iss).toBe(ISS);
    expect(Object.isFrozen(t) && Object.isFrozen(t.roles) && Object.isFrozen(t.claims)).toBe(true);
  });

  it('accepts the scheme in any case and application/at+jwt', async () => {
    const v = createTokenVerifier([remoteIssuer()], { now });
    const token = await signToken(rsa, base({ roles: 'a b' }), { typ: 'application/at+jwt' });
    expect((await v.verify(`bEaReR ${token}`)).roles).toEqual(['a', 'b']);
  });

  it('reads roles from a space or comma separated string and from a nested path, with azp as client id', async () => {
    const v = createTokenVerifier(
      [{ issuer: ISS, jwks: { keys: [ec.publicJwk] }, audience: AUD, rolesClaim: 'realm_access.roles', algorithms: ['ES256'] }],
      { now },
    );
    const nested = await signToken(ec, base({ realm_access: { roles: 'admin, auditor  reader' }, azp: 'portal' }));
    const t = await v.verify(`Bearer ${nested}`);
    expect(t.roles).toEqual(['admin', 'auditor', 'reader']);
    expect(t.clientId).toBe('portal');
    expect(t.tenants).toBeUndefined();
    const none = await signToken(ec, base());
    expect((await v.verify(`Bearer ${none}`)).roles).toEqual([]);
  });

  it('reads a URI-named claim containing dots as written', async () => {
    const v = createTokenVerifier(
      [{ issuer: ISS, jwks: { keys: [ec.publicJwk] }, audience: AUD, rolesClaim: 'https://city.example.org/roles' }],
      { now },
    );
    const token = await signToken(ec, base({ 'https://city.example.org/roles': ['planner'] }));
    expect((await v.verify(`Bearer ${token}`)).roles).toEqual(['planner']);
  });
});

describe('missing or unusable Authorization header', () => {
  const v = () => createTokenVerifier([remoteIssuer()], { now });
  it.each([undefined, '', 'Basic x', 'Bearer', 'Bearer ', 'Bearerabc', 'Bearer a b', 'Token abc'])('%j is a missing token', async (h) => {
    const err = await rejection(() => v().verify(h));
    expect(err).toBeInstanceOf(MimtrustError);
    const e = err as MimtrustError;
    expect([e.code, e.status, e.reason]).toEqual(['UNAUTHENTICATED', 401, 'token_missing']);
    expect(e.headers['www-authenticate']).toBe('Bearer realm="mimtrust"');
  });

  it('reads the scheme case-insensitively as toLowerCase would, and nothing else as it', async () => {
    const { readAuthorization } = await import('../../src/auth/bearer.js');
    const reference = (h: string): string | undefined => {
      for (const scheme of ['bearer', 'dpop']) {
        if (h.length > scheme.length + 1 && h.slice(0, scheme.length).toLowerCase() === scheme && h[scheme.length] === ' ') return scheme;
      }
      return undefined;
    };
    const read = (h: string): string | undefined => { try { return readAuthorization(h).scheme; } catch { return undefined; } };
    for (const word of ['Bearer', 'DPoP']) {
      for (let at = 0; at < word.length; at++) {
        // Every code up to U+0300, and the few beyond whose lower case is an ASCII letter or close to one.
        const codes = [...Array.from({ length: 0x300 }, (_, c) => c), 0x130, 0x131, 0x17f, 0x212a, 0x212b, 0xff22, 0xff42];
        for (const code of codes) {
          const h = `${word.slice(0, at)}${String.fromCharCode(code)}${word.slice(at + 1)} token`;
          expect(read(h), JSON.stringify(h)).toBe(reference(h));
        }
      }
    }
    expect(read('bEaReR t')).toBe('bearer');
    expect(read('dpOP t')).toBe('dpop');
  });

  it.each(['abc', 'a.b', 'a.b.c.d.e', 'a!b.c.d', '.x.y', 'eyJhbGciOiJSUzI1NiJ9.bm90IGpzb24.c2ln'])('%j is malformed', async (t) => {
    await expectInvalid(v().verify(`Bearer ${t}`), 'token_malformed');
  });
});

describe('refused tokens', () => {
  it('refuses an expired token beyond the tolerance, and accepts one inside it', async () => {
    const v = createTokenVerifier([remoteIssuer()], { now });
    const expired = await signToken(rsa, base({ exp: NOW_S - 31 }));
    await expectInvalid(v.verify(`Bearer ${expired}`), 'token_expired', expired);
    const lenient = await signToken(rsa, base({ exp: NOW_S - 10 }));
    await expect(v.verify(`Bearer ${lenient}`)).resolves.toMatchObject({ exp: NOW_S - 10 });
  });

  it('refuses a token not valid yet', async () => {
    const v = createTokenVerifier([remoteIssuer({ clockToleranceSec: 5 })], { now });
    const early = await signToken(rsa, base({ nbf: NOW_S + 60 }));
    await expectInvalid(v.verify(`Bearer ${early}`), 'token_not_yet_valid', early);
  });

  it('refuses an unknown issuer before fetching any key', async () => {
    const fresh = await new JwksServer().start();
    try {
      fresh.keys = [rsa.publicJwk];
      const v = createTokenVerifier([{ ...remoteIssuer(), jwksUri: fresh.uri }], { now });
      const foreign = await signToken(rsa, base({ iss: 'https://evil.example.org' }));
      await expectInvalid(v.verify(`Bearer ${foreign}`), 'token_issuer_unknown', foreign);
      const noIss = await signToken(rsa, base({ iss: undefined }));
      await expectInvalid(v.verify(`Bearer ${noIss}`), 'token_issuer_unknown', noIss);
      expect(fresh.fetches).toBe(0);
    } finally {
      await fresh.close();
    }
  });

  it('refuses a wrong audience', async () => {
    const v = createTokenVerifier([remoteIssuer()], { now });
    const t = await signToken(rsa, base({ aud: ['someone-else'] }));
    await expectInvalid(v.verify(`Bearer ${t}`), 'token_audience_mismatch', t);
    const noAud = await signToken(rsa, base({ aud: undefined }));
    await expectInvalid(v.verify(`Bearer ${noAud}`), 'token_audience_mismatch', noAud);
  });

  it('refuses alg none', async () => {
    const v = createTokenVerifier([remoteIssuer()], { now });
    const header = base64url.encode(JSON.stringify({ alg: 'none', typ: 'at+jwt' }));
    const payload = base64url.encode(JSON.stringify(base({ roles: ['admin'] })));
    const t = `${header}.${payload}.`;
    await expectInvalid(v.verify(`Bearer ${t}`), 'token_algorithm_refused', t);
  });

  it('refuses HS256 signed with the public key bytes as secret (key confusion)', async () => {
    const v = createTokenVerifier([remoteIssuer()], { now });
    const pem = await exportSPKI(rsa.publicKey);
    const jwkBytes = JSON.stringify(await exportJWK(rsa.publicKey));
    for (const secret of [pem, jwkBytes]) {
      const t = await new SignJWT(base({ roles: ['admin'] }))
        .setProtectedHeader({ alg: 'HS256', typ: 'at+jwt', kid: rsa.kid })
        .sign(new TextEncoder().encode(secret));
      await expectInvalid(v.verify(`Bearer ${t}`), 'token_algorithm_refused', t);
    }
  });

  it('refuses an algorithm the issuer does not allow even if the key would verify it', async () => {
    const v = createTokenVerifier([remoteIssuer({ algorithms: ['ES256'] })], { now });
    const t = await signToken(rsa, base());
    await expectInvalid(v.verify(`Bearer ${t}`), 'token_algorithm_refused', t);
  });

  it('refuses a signature made by another key under a known kid', async () => {
    const impostor = await makeKey('RS256', rsa.kid);
    const v = createTokenVerifier([remoteIssuer()], { now });
    const t = await signToken(impostor, base({ roles: ['admin'] }));
    await expectInvalid(v.verify(`Bearer ${t}`), 'token_signature_invalid', t);
  });

  it('refuses a token whose payload was altered after signing', async () => {
    const v = createTokenVerifier([remoteIssuer()], { now });
    const [h, , s] = (await signToken(rsa, base({ roles: ['viewer'] }))).split('.');
    const forged = `${h}.${base64url.encode(JSON.stringify(base({ roles: ['admin'] })))}.${s}`;
    await expectInvalid(v.verify(`Bearer ${forged}`), 'token_signature_invalid', forged);
  });

  it('refuses a missing typ unless plain JWTs are allowed, and typ JWT', async () => {
    const strict = createTokenVerifier([remoteIssuer()], { now });
    const noTyp = await signToken(rsa, base(), { typ: null });
    const jwtTyp = await signToken(rsa, base(), { typ: 'JWT' });
    await expectInvalid(strict.verify(`Bearer ${noTyp}`), 'token_type_refused', noTyp);
    await expectInvalid(strict.verify(`Bearer ${jwtTyp}`), 'token_type_refused', jwtTyp);
    const plain = createTokenVerifier([remoteIssuer({ allowPlainJwt: true })], { now });
    await expect(plain.verify(`Bearer ${noTyp}`)).resolves.toMatchObject({ sub: 'citizen-42' });
    await expect(plain.verify(`Bearer ${jwtTyp}`)).resolves.toMatchObject({ sub: 'citizen-42' });
  });

  it('refuses a token without exp, and claims of the wrong type', async () => {
    const v = createTokenVerifier([remoteIssuer({ tenantsClaim: 'tenants' })], { now });
    const cases: Array<Record<string, unknown>> = [
      { exp: undefined }, { exp: 'tomorrow' }, { roles: 7 }, { roles: ['a', 1] }, { roles: { admin: true } },
      { tenants: 3 }, { purpose: ['a'] }, { cnf: 'x' }, { sub: 5 },
    ];
    for (const extra of cases) {
      const t = await signToken(rsa, base(extra));
      await expectInvalid(v.verify(`Bearer ${t}`), 'token_claim_invalid', t);
    }
  });

  it('refuses a key unknown to the issuer', async () => {
    const other = await makeKey('RS256', 'not-published');
    const v = createTokenVerifier([{ issuer: ISS, jwks: { keys: [rsa.publicJwk] }, audience: AUD, rolesClaim: 'roles' }], { now });
    const t = await signToken(other, base());
    await expectInvalid(v.verify(`Bearer ${t}`), 'token_key_unknown', t);
  });
});
