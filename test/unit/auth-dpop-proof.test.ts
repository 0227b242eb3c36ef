/**
 * The pure DPoP proof check (RFC 9449 §4.3), with a fixed clock: each condition of a valid
 * proof bent on its own, and the reason it is refused for.
 */
import { describe, it, expect, beforeAll } from 'vitest';
import { createHash, generateKeyPairSync, sign } from 'node:crypto';
import { calculateJwkThumbprint, generateKeyPair, exportJWK, SignJWT } from 'jose';
import { MimtrustError } from '../../src/errors/index.js';
import { checkDpopProof, dpopLimits, DpopReplayCache, type DpopExpectation } from '../../src/auth/index.js';
import { proofKey } from '../../src/auth/dpop-replay.js';
import { dpopProof, thumbprint, unsignedProof, publicPart, type ProofKey } from '../helpers/dpop.js';

const NOW = 1_800_000_000;
const URL_ = 'https://gw.example.org:8443/ngsi-ld/v1/entities/urn:ngsi-ld:X:1';
const TOKEN = 'header.payload.signature';
const limits = dpopLimits({ maxAgeSec: 60, clockSkewSec: 5 });
let key: ProofKey;
let expected: DpopExpectation;

async function makeKey(alg = 'ES256'): Promise<ProofKey> {
  const { privateKey, publicKey } = await generateKeyPair(alg, { extractable: true });
  return { privateKey, publicJwk: await exportJWK(publicKey) };
}

beforeAll(async () => {
  key = await makeKey();
  expected = { method: 'GET', url: URL_, accessToken: TOKEN, jkt: await thumbprint(key) };
});

const proof = (extra: Partial<Parameters<typeof dpopProof>[1]> = {}, header: Record<string, unknown> = {}, k = key) =>
  dpopProof(k, { htm: 'GET', htu: URL_, accessToken: TOKEN, iat: NOW, ...extra }, header);

async function refused(p: Promise<unknown>, reason: string): Promise<void> {
  const err = await p.then(() => undefined, (e: unknown) => e);
  expect(err).toBeInstanceOf(MimtrustError);
  expect((err as MimtrustError).code).toBe('INVALID_DPOP_PROOF');
  expect((err as MimtrustError).reason).toBe(reason);
  expect((err as MimtrustError).headers['www-authenticate']).toContain('DPoP realm="mimtrust", error="invalid_dpop_proof"');
}

describe('checkDpopProof', () => {
  it('accepts a proof for this request, token and key, and says how long to remember it', async () => {
    const checked = await checkDpopProof(await proof({ jti: 'j-1' }), expected, limits, NOW);
    expect(checked).toEqual({ jti: 'j-1', acceptedUntilSec: NOW + 65 });
  });

  it('compares htu after normalisation, without query and fragment', async () => {
    for (const htu of [`${URL_}?q=1#f`, 'HTTPS://GW.example.org:8443/ngsi-ld/v1/entities/urn:ngsi-ld:X:1']) {
      await expect(checkDpopProof(await proof({ htu }), expected, limits, NOW)).resolves.toBeDefined();
    }
    await expect(checkDpopProof(await proof(), { ...expected, url: `${URL_}?other=2` }, limits, NOW)).resolves.toBeDefined();
  });

  it('accepts proofs within the window and the skew', async () => {
    await expect(checkDpopProof(await proof({ iat: NOW - 65 }), expected, limits, NOW)).resolves.toBeDefined();
    await expect(checkDpopProof(await proof({ iat: NOW + 5 }), expected, limits, NOW)).resolves.toBeDefined();
  });

  it.each([
    ['another method', { htm: 'POST' }, 'dpop_method_mismatch'],
    ['a lower-case method', { htm: 'get' }, 'dpop_method_mismatch'],
    ['another path', { htu: 'https://gw.example.org:8443/ngsi-ld/v1/entities' }, 'dpop_url_mismatch'],
    ['another port', { htu: 'https://gw.example.org:9443/ngsi-ld/v1/entities/urn:ngsi-ld:X:1' }, 'dpop_url_mismatch'],
    ['another scheme', { htu: 'http://gw.example.org:8443/ngsi-ld/v1/entities/urn:ngsi-ld:X:1' }, 'dpop_url_mismatch'],
    ['a relative htu', { htu: '/ngsi-ld/v1/entities/urn:ngsi-ld:X:1' }, 'dpop_url_mismatch'],
    ['a stale iat', { iat: NOW - 66 }, 'dpop_proof_stale'],
    ['a future iat', { iat: NOW + 6 }, 'dpop_proof_future'],
    ['another token', { accessToken: 'other' }, 'dpop_ath_mismatch'],
    ['no jti', { extra: { jti: undefined } }, 'dpop_claim_invalid'],
    ['a very long jti', { jti: 'j'.repeat(257) }, 'dpop_claim_invalid'],
    ['an iat string', { extra: { iat: String(NOW) } }, 'dpop_claim_invalid'],
  ])('refuses %s', async (_name, extra, reason) => {
    await refused(checkDpopProof(await proof(extra), expected, limits, NOW), reason);
  });

  it('refuses a proof without ath', async () => {
    await refused(checkDpopProof(await dpopProof(key, { htm: 'GET', htu: URL_, iat: NOW }), expected, limits, NOW), 'dpop_ath_mismatch');
  });

  it('refuses another key, a key in the header that did not sign, and a key the token is not bound to', async () => {
    const other = await makeKey();
    await refused(checkDpopProof(await proof({}, {}, other), expected, limits, NOW), 'dpop_key_mismatch');
    await refused(checkDpopProof(await proof({}, { jwk: publicPart(key.publicJwk) }, other), expected, limits, NOW), 'dpop_signature_invalid');
  });

  it('refuses a private or symmetric key in the header', async () => {
    const { privateKey } = await generateKeyPair('ES256', { extractable: true });
    const priv = await exportJWK(privateKey);
    await refused(checkDpopProof(await proof({}, { jwk: priv }, { privateKey, publicJwk: priv }), expected, limits, NOW), 'dpop_key_invalid');
    await refused(checkDpopProof(await proof({}, { jwk: { kty: 'oct', k: 'c2VjcmV0' } }), expected, limits, NOW), 'dpop_key_invalid');
    await refused(checkDpopProof(await proof({}, { jwk: undefined }), expected, limits, NOW), 'dpop_key_invalid');
  });

  it('refuses alg none, HMAC and algorithms off the list', async () => {
    const claims = { htm: 'GET', htu: URL_, iat: NOW, jti: 'x' };
    const jwk = publicPart(key.publicJwk);
    await refused(checkDpopProof(unsignedProof({ alg: 'none', typ: 'dpop+jwt', jwk }, claims, ''), expected, limits, NOW), 'dpop_proof_malformed');
    await refused(checkDpopProof(unsignedProof({ alg: 'none', typ: 'dpop+jwt', jwk }, claims), expected, limits, NOW), 'dpop_algorithm_refused');
    const secret = new TextEncoder().encode('k'.repeat(32));
    const hs = await new SignJWT(claims).setProtectedHeader({ alg: 'HS256', typ: 'dpop+jwt', jwk }).sign(secret);
    await refused(checkDpopProof(hs, expected, limits, NOW), 'dpop_algorithm_refused');
    const es384 = await makeKey('ES384');
    const only256 = dpopLimits({ algorithms: ['ES256'] });
    await refused(checkDpopProof(await proof({}, { alg: 'ES384' }, es384), { ...expected, jkt: await thumbprint(es384) }, only256, NOW), 'dpop_algorithm_refused');
  });

  it('refuses another type, a critical header and garbage', async () => {
    await refused(checkDpopProof(await proof({}, { typ: 'JWT' }), expected, limits, NOW), 'dpop_proof_type_refused');
    const crit = unsignedProof({ alg: 'ES256', typ: 'dpop+jwt', crit: ['x'], x: 1, jwk: publicPart(key.publicJwk) }, { htm: 'GET', htu: URL_, iat: NOW, jti: 'x' });
    await refused(checkDpopProof(crit, expected, limits, NOW), 'dpop_proof_malformed');
    await refused(checkDpopProof('not-a-jwt', expected, limits, NOW), 'dpop_proof_malformed');
    await refused(checkDpopProof(`${'a'.repeat(9000)}.b.c`, expected, limits, NOW), 'dpop_proof_malformed');
  });

  it('remembers what a header says, and asks again what depends on the request: the token\'s key, the algorithms allowed, the signature', async () => {
    const es384 = await makeKey('ES384');
    const bound384 = { ...expected, jkt: await thumbprint(es384) };
    const first = await proof({ jti: 'h-1' }, { alg: 'ES384' }, es384);
    // Refused before the header was ever accepted: a refusal is not remembered.
    await refused(checkDpopProof(first, bound384, dpopLimits({ algorithms: ['ES256'] }), NOW), 'dpop_algorithm_refused');
    await expect(checkDpopProof(first, bound384, limits, NOW)).resolves.toEqual({ jti: 'h-1', acceptedUntilSec: NOW + 65 });
    // The same header from here on.
    const [header, , signature] = first.split('.') as [string, string, string];
    const again = await proof({ jti: 'h-2' }, { alg: 'ES384' }, es384);
    expect(again.split('.')[0]).toBe(header);
    await refused(checkDpopProof(again, expected, limits, NOW), 'dpop_key_mismatch');
    await refused(checkDpopProof(again, bound384, dpopLimits({ algorithms: ['ES256'] }), NOW), 'dpop_algorithm_refused');
    const otherClaims = Buffer.from(JSON.stringify({ jti: 'h-3', htm: 'GET', htu: URL_, iat: NOW, ath: 'x' })).toString('base64url');
    await refused(checkDpopProof(`${header}.${otherClaims}.${signature}`, bound384, limits, NOW), 'dpop_signature_invalid');
    await refused(checkDpopProof(await proof({ htm: 'POST' }, { alg: 'ES384' }, es384), bound384, limits, NOW), 'dpop_method_mismatch');
    await expect(checkDpopProof(again, bound384, limits, NOW)).resolves.toEqual({ jti: 'h-2', acceptedUntilSec: NOW + 65 });
  });

  it.each(['ES256', 'ES384', 'ES512', 'RS256', 'RS384', 'PS256', 'PS512', 'EdDSA', 'Ed25519'])('verifies %s: accepts the signature, refuses it altered or made by another key', async (alg) => {
    const signer = await makeKey(alg);
    const bound = { ...expected, jkt: await thumbprint(signer) };
    const limits = dpopLimits({ algorithms: [alg] });
    const good = await proof({}, { alg }, signer);
    await expect(checkDpopProof(good, bound, limits, NOW)).resolves.toBeDefined();
    const [h, p, sig] = good.split('.') as [string, string, string];
    const bytes = Buffer.from(sig, 'base64url');
    const middle = bytes.length >> 1;
    bytes.writeUInt8((bytes.readUInt8(middle) ^ 0x01), middle);
    await refused(checkDpopProof(`${h}.${p}.${bytes.toString('base64url')}`, bound, limits, NOW), 'dpop_signature_invalid');
    await refused(checkDpopProof(`${h}.${p}.${sig.slice(0, -4)}`, bound, limits, NOW), 'dpop_signature_invalid');
    const other = await makeKey(alg);
    const forged = await proof({}, { alg, jwk: publicPart(signer.publicJwk) }, other);
    await refused(checkDpopProof(forged, bound, limits, NOW), 'dpop_signature_invalid');
  });

  it('refuses an RSA key under 2048 bits and a key of another curve than the algorithm names', async () => {
    const { privateKey, publicKey } = generateKeyPairSync('rsa', { modulusLength: 1024 });
    const jwk = publicKey.export({ format: 'jwk' });
    const header = { alg: 'RS256', typ: 'dpop+jwt', jwk: publicPart(jwk) };
    const unsigned = unsignedProof(header, { htm: 'GET', htu: URL_, iat: NOW, jti: 'rsa-1024', ath: Buffer.from('x').toString('base64url') }, 'x');
    const input = unsigned.slice(0, unsigned.lastIndexOf('.'));
    const signed = `${input}.${sign('sha256', Buffer.from(input), privateKey).toString('base64url')}`;
    await refused(checkDpopProof(signed, { ...expected, jkt: await calculateJwkThumbprint(publicPart(jwk), 'sha256') }, dpopLimits({ algorithms: ['RS256'] }), NOW), 'dpop_key_invalid');
    const p384 = await makeKey('ES384');
    const mislabelled = unsignedProof({ alg: 'ES256', typ: 'dpop+jwt', jwk: publicPart(p384.publicJwk) }, { htm: 'GET', htu: URL_, iat: NOW, jti: 'curve' });
    await refused(checkDpopProof(mislabelled, { ...expected, jkt: await thumbprint(p384) }, limits, NOW), 'dpop_key_invalid');
  });

  it('never puts the proof into the error', async () => {
    const p = await proof({ htm: 'PUT' });
    const err = await checkDpopProof(p, expected, limits, NOW).catch((e: MimtrustError) => e);
    expect(JSON.stringify({ m: (err as Error).message, h: (err as MimtrustError).headers })).not.toContain(p.split('.')[1]);
  });
});

describe('dpopLimits', () => {
  it('refuses symmetric algorithms and empty lists', () => {
    expect(() => dpopLimits({ algorithms: ['HS256'] })).toThrow(/asymmetric/);
    expect(() => dpopLimits({ algorithms: ['none'] })).toThrow(/asymmetric/);
    expect(() => dpopLimits({ algorithms: [] })).toThrow(/empty/);
  });
});

describe('DpopReplayCache', () => {
  it('lets each proof through once within its window, and again only after it', () => {
    const cache = new DpopReplayCache(10);
    expect(cache.use('k', 'j', NOW + 60, NOW)).toBe('fresh');
    expect(cache.use('k', 'j', NOW + 60, NOW + 30)).toBe('replayed');
    expect(cache.use('other-key', 'j', NOW + 60, NOW)).toBe('fresh');
    expect(cache.use('k', 'j', NOW + 200, NOW + 61)).toBe('fresh');
  });

  it('knows a proof by a hash of fixed length, the one the shared store has always keyed it by', () => {
    const jkt = 'NzbLsXh8uDCcd-6MNwXF4W_7noWXFZAfHkxZsRGC9Xs';
    for (const jti of ['j', 'x'.repeat(256), 'jti-with-ünïcode']) {
      expect(proofKey(jkt, jti)).toBe(createHash('sha256').update(jkt).update('.').update(jti).digest('base64url'));
      expect(proofKey(jkt, jti)).toHaveLength(43);
    }
    expect(proofKey(jkt, 'a')).not.toBe(proofKey(jkt, 'b'));
    expect(proofKey(jkt.replace(/^N/, 'M'), 'j')).not.toBe(proofKey(jkt, 'j'));
  });

  it('refuses rather than forgets a proof still in its window, and makes room from expired ones', () => {
    const cache = new DpopReplayCache(2);
    expect(cache.use('k', 'a', NOW + 60, NOW)).toBe('fresh');
    expect(cache.use('k', 'b', NOW + 60, NOW)).toBe('fresh');
    expect(cache.use('k', 'c', NOW + 60, NOW)).toBe('full');
    expect(cache.use('k', 'a', NOW + 60, NOW)).toBe('replayed');
    expect(cache.use('k', 'c', NOW + 120, NOW + 61)).toBe('fresh');
    expect(cache.size).toBe(1);
  });
});
