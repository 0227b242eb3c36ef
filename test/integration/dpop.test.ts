/**
 * Sender-constrained tokens from the city's own issuer, used at the real gateway over
 * HTTPS: DPoP-bound tokens (RFC 9449) work with a proper proof and every bent proof is
 * refused; certificate-bound tokens (RFC 8705) work only over the certificate they were
 * issued to. The audit record names how each token was bound.
 */
import { describe, it, expect, beforeAll, afterAll } from 'vitest';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { Agent } from 'undici';
import { SignJWT, decodeJwt, exportJWK, generateKeyPair } from 'jose';
import { startHarness, REPO, type Harness } from '../helpers/harness.js';
import { OIDC_ISSUER, assertionParams, clientKey, postForm, type ClientKey } from '../helpers/oidc.js';
import { dpopProof, publicPart, thumbprint, unsignedProof, type ProofKey } from '../helpers/dpop.js';
import { accessTokenHash } from '../../src/auth/index.js';
import { createTestCa, type Issued } from '../helpers/pki.js';
import { makeTempDir } from '../helpers/temp-dir.js';

const LIGHT = 'urn:ngsi-ld:Streetlight:1';
const PATH = `/ngsi-ld/v1/entities/${encodeURIComponent(LIGHT)}`;
let h: Harness;
let origin: string;
let tokenEndpoint: string;
let dpopClient: ClientKey;
let mtlsClient: ClientKey;
let plainClient: ClientKey;
let holder: ProofKey;
let alice: Issued;
let mallory: Issued;

beforeAll(async () => {
  dpopClient = await clientKey();
  mtlsClient = await clientKey();
  plainClient = await clientKey();
  holder = await clientKey();
  const ca = await createTestCa();
  alice = await ca.issue('lighting-mtls');
  mallory = await ca.issue('mallory');
  const dir = makeTempDir('dpop-ca');
  writeFileSync(join(dir, 'ca.pem'), ca.cert);
  h = await startHarness({
    contractsDir: join(REPO, 'test', 'fixtures', 'contracts-issuer'),
    tls: { clientCa: join(dir, 'ca.pem') },
    pdp: { enabled: true },
    oidc: {
      enabled: true,
      issuer: OIDC_ISSUER,
      requireSenderConstrained: true,
      clients: [
        {
          clientId: 'lighting-plain', organisation: 'urn:org:lighting-co', grantTypes: ['client_credentials'],
          jwks: { keys: [plainClient.publicJwk] }, purposes: ['dpv:ServiceProvision'], roles: ['viewer'],
        },
        {
          clientId: 'lighting-co', organisation: 'urn:org:lighting-co', grantTypes: ['client_credentials'], dpopBound: true,
          jwks: { keys: [dpopClient.publicJwk] }, purposes: ['dpv:ServiceProvision'], roles: ['viewer'],
        },
        {
          clientId: 'lighting-mtls', organisation: 'urn:org:lighting-co', grantTypes: ['client_credentials'], certificateBound: true,
          jwks: { keys: [mtlsClient.publicJwk] }, purposes: ['dpv:ServiceProvision'], roles: ['viewer'],
        },
      ],
    },
  });
  h.broker.seed({ id: LIGHT, type: 'Streetlight', status: { type: 'Property', value: 'ok' } });
  origin = h.gateway.url.replace('127.0.0.1', 'localhost');
  tokenEndpoint = (await h.call('GET', '/oidc/.well-known/openid-configuration')).json().token_endpoint;
});
afterAll(async () => h?.close());

async function dpopToken(key: ProofKey = holder): Promise<string> {
  const proof = await dpopProof(key, { htm: 'POST', htu: tokenEndpoint });
  const res = await postForm(h, '/oidc/token', { grant_type: 'client_credentials', ...(await assertionParams('lighting-co', dpopClient)) }, { dpop: proof });
  expect(res.status, res.text).toBe(200);
  expect(res.json().token_type).toBe('DPoP');
  return res.json().access_token;
}

function read(token: string, proof: string | undefined, opts: { scheme?: string; path?: string; method?: string } = {}) {
  return h.call(opts.method ?? 'GET', opts.path ?? PATH, { headers: { authorization: `${opts.scheme ?? 'DPoP'} ${token}`, ...(proof !== undefined ? { dpop: proof } : {}) } });
}

async function refusedProof(res: Awaited<ReturnType<typeof read>>, reason: string) {
  expect(res.status, res.text).toBe(401);
  const body = res.json();
  expect(body).toMatchObject({ code: 'INVALID_DPOP_PROOF', reason, status: 401 });
  expect(res.headers['www-authenticate']).toMatch(/^DPoP realm="mimtrust", error="invalid_dpop_proof", error_description="[^"]+", algs="ES256[^"]*"$/);
  return body;
}

function lastSeq(): number {
  const db = new Database(join(h.dir, 'mimtrust.db'), { readonly: true });
  try {
    return (db.prepare('SELECT coalesce(max(seq), 0) AS seq FROM audit_records').get() as { seq: number }).seq;
  } finally {
    db.close();
  }
}

/** The audit records written after `seq` (writes are batched: waits for them a little). */
async function recordsAfter(seq: number): Promise<Array<{ binding: string | null; effect: string }>> {
  // A read's outcome record follows its answer.
  await h.gateway.auditSettled();
  const db = new Database(join(h.dir, 'mimtrust.db'), { readonly: true });
  try {
    const query = db.prepare('SELECT binding, effect FROM audit_records WHERE seq > ? ORDER BY seq');
    for (let i = 0; i < 50; i++) {
      const rows = query.all(seq) as Array<{ binding: string | null; effect: string }>;
      if (rows.length > 0) return rows;
      await new Promise((r) => setTimeout(r, 100));
    }
    return [];
  } finally {
    db.close();
  }
}

describe('DPoP at the issuer', () => {
  it('binds the token to the proof key: cnf.jkt is its RFC 7638 thumbprint; the issuance record says dpop', async () => {
    const before = lastSeq();
    const claims = decodeJwt(await dpopToken());
    expect(claims.cnf).toEqual({ jkt: await thumbprint(holder) });
    expect(await recordsAfter(before)).toEqual([{ binding: 'dpop', effect: 'permit' }]);
  });

  it('refuses a client held to DPoP that asks without a proof', async () => {
    const res = await postForm(h, '/oidc/token', { grant_type: 'client_credentials', ...(await assertionParams('lighting-co', dpopClient)) });
    expect(res.status).toBe(400);
    expect(res.json().error).toBe('invalid_grant');
  });

  it('refuses a proof for another endpoint', async () => {
    const proof = await dpopProof(holder, { htm: 'POST', htu: `${origin}/oidc/other` });
    const res = await postForm(h, '/oidc/token', { grant_type: 'client_credentials', ...(await assertionParams('lighting-co', dpopClient)) }, { dpop: proof });
    expect(res.status).toBe(400);
    expect(res.json().error).toBe('invalid_dpop_proof');
  });

  it('names DPoP and its algorithms in discovery', async () => {
    const doc = (await h.call('GET', '/oidc/.well-known/openid-configuration')).json();
    expect(doc.dpop_signing_alg_values_supported).toEqual(expect.arrayContaining(['ES256', 'EdDSA']));
    expect(doc.tls_client_certificate_bound_access_tokens).toBe(true);
  });
});

describe('a DPoP-bound token at the gateway', () => {
  let token: string;
  beforeAll(async () => {
    token = await dpopToken();
  });
  const proofFor = (extra: Partial<Parameters<typeof dpopProof>[1]> = {}, header: Record<string, unknown> = {}, key: ProofKey = holder) =>
    dpopProof(key, { htm: 'GET', htu: `${origin}${PATH}`, accessToken: token, ...extra }, header);

  it('is accepted with the DPoP scheme and a proof for this request, and the audit record says dpop', async () => {
    const before = lastSeq();
    const res = await read(token, await proofFor());
    expect(res.status, res.text).toBe(200);
    expect(res.json().id).toBe(LIGHT);
    // The decision and the outcome.
    expect(await recordsAfter(before)).toEqual([{ binding: 'dpop', effect: 'permit' }, { binding: 'dpop', effect: 'permit' }]);
  });

  it('ignores the query of the request when comparing htu', async () => {
    expect((await read(token, await proofFor(), { path: `${PATH}?options=keyValues` })).status).toBe(200);
  });

  it('is refused without a proof', async () => {
    await refusedProof(await read(token, undefined), 'dpop_proof_missing');
  });

  it('is refused with the Bearer scheme, proof or not', async () => {
    for (const proof of [undefined, await proofFor()]) {
      const res = await read(token, proof, { scheme: 'Bearer' });
      expect(res.status).toBe(401);
      expect(res.json()).toMatchObject({ code: 'INVALID_TOKEN', reason: 'token_requires_dpop' });
      expect(res.headers['www-authenticate']).toMatch(/^DPoP realm="mimtrust", error="invalid_token"/);
    }
  });

  it('is refused with two proofs', async () => {
    const res = await h.call('GET', PATH, { headers: { authorization: `DPoP ${token}`, dpop: [await proofFor(), await proofFor()] } });
    await refusedProof(res, 'dpop_proof_repeated');
  });

  it('is refused with a proof signed by another key', async () => {
    const other = await clientKey();
    await refusedProof(await read(token, await proofFor({}, {}, other)), 'dpop_key_mismatch');
    // The holder's public key in the header, another key's signature.
    await refusedProof(await read(token, await proofFor({}, { jwk: publicPart(holder.publicJwk) }, other)), 'dpop_signature_invalid');
  });

  it('checks a proof whose header it has accepted before against the token and the signature all the same', async () => {
    // The holder's header is known by now: accepted in the tests above, and here once more.
    const accepted = await proofFor();
    expect((await read(token, accepted)).status).toBe(200);
    // A token bound to another key, with a proof under the holder's header and signature.
    const other = await clientKey();
    const othersToken = await dpopToken(other);
    await refusedProof(await read(othersToken, await proofFor({ accessToken: othersToken })), 'dpop_key_mismatch');
    // The holder's header and signature over other claims: a fresh jti, so no replay to catch it.
    const [header, , signature] = accepted.split('.') as [string, string, string];
    const claims = Buffer.from(JSON.stringify({ htm: 'GET', htu: `${origin}${PATH}`, jti: 'moved-signature', iat: Math.floor(Date.now() / 1000), ath: accessTokenHash(token) })).toString('base64url');
    await refusedProof(await read(token, `${header}.${claims}.${signature}`), 'dpop_signature_invalid');
  });

  it('is refused with a proof for another method', async () => {
    await refusedProof(await read(token, await proofFor({ htm: 'POST' })), 'dpop_method_mismatch');
    await refusedProof(await read(token, await proofFor(), { method: 'DELETE' }), 'dpop_method_mismatch');
  });

  it('is refused with a proof for another path or another host', async () => {
    await refusedProof(await read(token, await proofFor({ htu: `${origin}/ngsi-ld/v1/entities/urn:ngsi-ld:Streetlight:2` })), 'dpop_url_mismatch');
    await refusedProof(await read(token, await proofFor({ htu: `https://other.example${PATH}` })), 'dpop_url_mismatch');
    await refusedProof(await read(token, await proofFor({ htu: origin.replace('https:', 'http:') + PATH })), 'dpop_url_mismatch');
  });

  it('is refused with a stale or a future proof', async () => {
    const now = Math.floor(Date.now() / 1000);
    await refusedProof(await read(token, await proofFor({ iat: now - 120 })), 'dpop_proof_stale');
    await refusedProof(await read(token, await proofFor({ iat: now + 60 })), 'dpop_proof_future');
  });

  it('is refused when a proof is used a second time', async () => {
    const proof = await proofFor();
    expect((await read(token, proof)).status).toBe(200);
    await refusedProof(await read(token, proof), 'dpop_proof_replayed');
  });

  it('is refused with a proof made for another token, or for none', async () => {
    await refusedProof(await read(token, await proofFor({ accessToken: `${token}x` })), 'dpop_ath_mismatch');
    await refusedProof(await read(token, await dpopProof(holder, { htm: 'GET', htu: `${origin}${PATH}` })), 'dpop_ath_mismatch');
  });

  it('is refused with an unsigned or HMAC proof', async () => {
    const claims = { htm: 'GET', htu: `${origin}${PATH}`, iat: Math.floor(Date.now() / 1000), jti: 'j-1' };
    await refusedProof(await read(token, unsignedProof({ alg: 'none', typ: 'dpop+jwt', jwk: publicPart(holder.publicJwk) }, claims, '')), 'dpop_proof_malformed');
    await refusedProof(await read(token, unsignedProof({ alg: 'none', typ: 'dpop+jwt', jwk: publicPart(holder.publicJwk) }, claims)), 'dpop_algorithm_refused');
    const secret = new TextEncoder().encode('a-shared-secret-of-at-least-32-bytes!');
    const hmac = await new SignJWT(claims).setProtectedHeader({ alg: 'HS256', typ: 'dpop+jwt', jwk: { kty: 'oct', k: Buffer.from(secret).toString('base64url') } } as never).sign(secret);
    await refusedProof(await read(token, hmac), 'dpop_algorithm_refused');
  });

  it('is refused with a private key in the proof header', async () => {
    const { privateKey } = await generateKeyPair('ES256', { extractable: true });
    const withPrivate = await exportJWK(privateKey);
    const res = await read(token, await proofFor({}, { jwk: withPrivate }, { privateKey, publicJwk: withPrivate }));
    const body = await refusedProof(res, 'dpop_key_invalid');
    expect(JSON.stringify(body)).not.toContain(String(withPrivate.d));
  });

  it('is refused with a proof of another type', async () => {
    await refusedProof(await read(token, await proofFor({}, { typ: 'JWT' })), 'dpop_proof_type_refused');
  });

  it('never echoes the proof or the token', async () => {
    const proof = await proofFor({ htm: 'PUT' });
    const res = await read(token, proof);
    expect(res.text).not.toContain(proof.split('.')[1]);
    expect(res.text).not.toContain(token.split('.')[1]);
    expect(String(res.headers['www-authenticate'])).not.toContain(proof.split('.')[1]);
  });

});

describe('a certificate-bound token', () => {
  function agentFor(client: Issued | undefined) {
    return new Agent({ connect: { ca: h.ca, servername: 'localhost', ...(client ? { cert: client.cert, key: client.key } : {}) } });
  }

  async function over(client: Issued | undefined, method: string, path: string, headers: Record<string, string>, body?: string) {
    const agent = agentFor(client);
    try {
      const res = await agent.request({ origin, path, method, headers, ...(body !== undefined ? { body } : {}) });
      return { status: res.statusCode, headers: res.headers, json: await res.body.json() as Record<string, unknown> };
    } finally {
      await agent.close();
    }
  }

  async function mtlsToken(): Promise<string> {
    const form = new URLSearchParams({ grant_type: 'client_credentials', ...(await assertionParams('lighting-mtls', mtlsClient)) }).toString();
    const res = await over(alice, 'POST', '/oidc/token', { 'content-type': 'application/x-www-form-urlencoded' }, form);
    expect(res.status, JSON.stringify(res.json)).toBe(200);
    return res.json.access_token as string;
  }

  it('is bound by the issuer to the certificate of the connection that asked for it', async () => {
    expect(decodeJwt(await mtlsToken()).cnf).toEqual({ 'x5t#S256': alice.thumbprint });
  });

  it('is not issued to a client held to certificates that connects without one', async () => {
    const res = await postForm(h, '/oidc/token', { grant_type: 'client_credentials', ...(await assertionParams('lighting-mtls', mtlsClient)) });
    expect(res.status).toBe(400);
  });

  it('works over its certificate, and is refused over another or none', async () => {
    const token = await mtlsToken();
    const before = lastSeq();
    const ok = await over(alice, 'GET', PATH, { authorization: `Bearer ${token}` });
    expect(ok.status).toBe(200);
    expect(await recordsAfter(before)).toEqual([{ binding: 'mtls', effect: 'permit' }, { binding: 'mtls', effect: 'permit' }]);
    for (const client of [mallory, undefined]) {
      const res = await over(client, 'GET', PATH, { authorization: `Bearer ${token}` });
      expect(res.status).toBe(401);
      expect(res.json).toMatchObject({ code: 'INVALID_TOKEN', reason: 'token_binding_mismatch' });
    }
  });

  it('is refused with the DPoP scheme', async () => {
    const token = await mtlsToken();
    const proof = await dpopProof(holder, { htm: 'GET', htu: `${origin}${PATH}`, accessToken: token });
    const res = await over(alice, 'GET', PATH, { authorization: `DPoP ${token}`, dpop: proof });
    expect(res.status).toBe(401);
    expect(res.json).toMatchObject({ code: 'INVALID_TOKEN', reason: 'token_not_dpop_bound' });
  });
});

describe('an issuer that requires sender-constrained tokens', () => {
  it('has its plain bearer tokens refused, and the same client with a DPoP proof accepted', async () => {
    const plain = await postForm(h, '/oidc/token', { grant_type: 'client_credentials', ...(await assertionParams('lighting-plain', plainClient)) });
    expect(plain.status).toBe(200);
    const res = await h.call('GET', PATH, { token: plain.json().access_token });
    expect(res.status).toBe(401);
    expect(res.json()).toMatchObject({ code: 'INVALID_TOKEN', reason: 'token_not_sender_constrained' });

    const proof = await dpopProof(holder, { htm: 'POST', htu: tokenEndpoint });
    const bound = await postForm(h, '/oidc/token', { grant_type: 'client_credentials', ...(await assertionParams('lighting-plain', plainClient)) }, { dpop: proof });
    const token = bound.json().access_token as string;
    const ok = await read(token, await dpopProof(holder, { htm: 'GET', htu: `${origin}${PATH}`, accessToken: token }));
    expect(ok.status).toBe(200);
  });
});

describe('the decision point over HTTP', () => {
  it('ext_authz checks a DPoP proof against the original request as the client made it', async () => {
    const token = await dpopToken();
    const query = '/ngsi-ld/v1/entities';
    const check = (proof: string) => h.call('GET', `/pdp/v1/ext_authz${query}?type=Streetlight`, { headers: { authorization: `DPoP ${token}`, dpop: proof } });
    const good = await check(await dpopProof(holder, { htm: 'GET', htu: `${origin}${query}`, accessToken: token }));
    expect(good.status, good.text).toBe(200);
    await refusedProof(await check(await dpopProof(holder, { htm: 'GET', htu: `${origin}/pdp/v1/ext_authz${query}`, accessToken: token })), 'dpop_url_mismatch');
  });

  it('the decision API refuses a DPoP-bound token in a described request: the proof cannot be checked there', async () => {
    const token = await dpopToken();
    const proof = await dpopProof(holder, { htm: 'GET', htu: `${origin}${PATH}`, accessToken: token });
    const res = await h.call('POST', '/pdp/v1/decisions', { body: { input: { method: 'GET', path: PATH, headers: { authorization: `DPoP ${token}`, dpop: proof } } } });
    expect(res.status).toBe(200);
    expect(res.json().result).toMatchObject({ allow: false, reason: 'token_binding_unverifiable' });
  });
});
