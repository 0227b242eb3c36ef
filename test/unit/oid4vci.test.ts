/**
 * The parts of OID4VCI issuance: the offer and its URI, the credential request, the holder's key proof (type, algorithm, key named
 * once, signature by that key, audience, time, nonce), and redemption (once, expired,
 * transaction code, whose code a second use was), codes and nonces kept in the store's
 * expiring keys on a real SQLite file (single-use.test.ts tests them across processes).
 */
import { afterEach, describe, it, expect } from 'vitest';
import { SignJWT, exportJWK, generateKeyPair, type CryptoKey, type JWK } from 'jose';
import { generate, type Ed25519KeyPair } from '@digitalbazaar/ed25519-multikey';
import { StoredSingleUse, type ExpiringKeys } from '../../src/lib/index.js';
import { sqliteKeys, type OpenedKeys } from '../helpers/expiring-keys.js';
import { DidResolution } from '../../src/credentials/index.js';
import {
  CredentialOffers, Oid4vciError, RECEIPT_CONFIGURATION, RedemptionRefused, TX_CODE_LENGTH, checkProof, credentialOffer, didJwkOf, newTxCode, offerOf, offerUri,
  readCredentialRequest, type OfferedReceipt, type ProofExpectation,
} from '../../src/credentials/oid4vci/index.js';
import type { ConsentRecord } from '../../src/consent/index.js';

const ISSUER = 'https://gateway.city.example';
const resolution = new DidResolution({ own: () => new Map(), webAllow: [], fetchJson: async () => { throw new Error('no network'); }, cacheSize: 10, cacheTtlMs: 1000 });
const NOW = Date.parse('2026-03-01T12:00:00Z');
const expectation = (over: Partial<ProofExpectation> = {}): ProofExpectation => ({
  audience: ISSUER, now: NOW, maxAgeSec: 300, skewSec: 60, resolveDid: (d) => resolution.resolve(d), ...over,
});

async function refusal(p: Promise<unknown>): Promise<string> {
  try {
    await p;
  } catch (err) {
    if (err instanceof Oid4vciError) return err.error;
    throw err;
  }
  return 'accepted';
}

describe('the credential offer', () => {
  it('is passed by value in an openid-credential-offer URI, with the code and the transaction code\'s shape, never its value', () => {
    const offer = credentialOffer(ISSUER, 'the-code', 'on the page');
    const uri = offerUri(offer);
    expect(uri.startsWith('openid-credential-offer://?credential_offer=%7B')).toBe(true);
    expect(offerOf(uri)).toEqual({
      credential_issuer: ISSUER,
      credential_configuration_ids: [RECEIPT_CONFIGURATION],
      grants: { 'urn:ietf:params:oauth:grant-type:pre-authorized_code': { 'pre-authorized_code': 'the-code', tx_code: { input_mode: 'numeric', length: 6, description: 'on the page' } } },
    });
    expect(offerOf('https://example.org/?credential_offer=%7B%7D')).toBeUndefined();
    expect(offerOf('openid-credential-offer://?credential_offer=%7Bnot-json')).toBeUndefined();
  });

  it('transaction codes are random digits', () => {
    const codes = new Set(Array.from({ length: 50 }, () => newTxCode()));
    for (const c of codes) expect(c).toMatch(new RegExp(`^\\d{${TX_CODE_LENGTH}}$`));
    expect(codes.size).toBeGreaterThan(45);
  });
});

describe('the credential request', () => {
  it('takes the 1.0 proofs form and the drafts\' single proof', () => {
    expect(readCredentialRequest({ credential_configuration_id: RECEIPT_CONFIGURATION, proofs: { jwt: ['a.b.c'] } })).toEqual({ configuration: RECEIPT_CONFIGURATION, proof: 'a.b.c' });
    expect(readCredentialRequest({ credential_configuration_id: RECEIPT_CONFIGURATION, proof: { proof_type: 'jwt', jwt: 'a.b.c' } }).proof).toBe('a.b.c');
  });

  it('refuses what it cannot serve, each with its code', () => {
    const code = (body: unknown) => { try { readCredentialRequest(body); return 'accepted'; } catch (e) { return (e as Oid4vciError).error; } };
    expect(code(null)).toBe('invalid_credential_request');
    expect(code({ proofs: { jwt: ['a.b.c'] } })).toBe('invalid_credential_request');
    expect(code({ credential_configuration_id: 'Other', proofs: { jwt: ['a.b.c'] } })).toBe('unknown_credential_configuration');
    expect(code({ credential_configuration_id: RECEIPT_CONFIGURATION })).toBe('invalid_proof');
    expect(code({ credential_configuration_id: RECEIPT_CONFIGURATION, proofs: { jwt: ['a.b.c', 'd.e.f'] } })).toBe('invalid_credential_request');
    expect(code({ credential_configuration_id: RECEIPT_CONFIGURATION, proofs: { ldp_vp: [{}] } })).toBe('invalid_proof');
    expect(code({ credential_configuration_id: RECEIPT_CONFIGURATION, proofs: { jwt: ['a.b.c'] }, proof: { proof_type: 'jwt', jwt: 'a.b.c' } })).toBe('invalid_credential_request');
    expect(code({ credential_identifier: 'x', credential_configuration_id: RECEIPT_CONFIGURATION, proofs: { jwt: ['a.b.c'] } })).toBe('invalid_credential_request');
  });
});

describe('the key proof', () => {
  const claims = (over: Record<string, unknown> = {}) => ({ aud: ISSUER, iat: Math.floor(NOW / 1000), nonce: 'n-1', ...over });

  async function es256(): Promise<{ privateKey: CryptoKey; jwk: JWK }> {
    const { privateKey, publicKey } = await generateKeyPair('ES256', { extractable: true });
    return { privateKey, jwk: await exportJWK(publicKey) };
  }
  const signed = (key: CryptoKey, header: Record<string, unknown>, payload: Record<string, unknown>) =>
    new SignJWT(payload).setProtectedHeader({ typ: 'openid4vci-proof+jwt', alg: 'ES256', ...header }).sign(key);

  async function edProof(pair: Ed25519KeyPair, header: Record<string, unknown>, payload: Record<string, unknown>, signer = pair): Promise<string> {
    const b64 = (v: unknown) => Buffer.from(JSON.stringify(v)).toString('base64url');
    const input = `${b64({ typ: 'openid4vci-proof+jwt', alg: 'EdDSA', ...header })}.${b64(payload)}`;
    return `${input}.${Buffer.from(await signer.signer().sign({ data: new TextEncoder().encode(input) })).toString('base64url')}`;
  }

  it('binds to the did:jwk of a key in its header, and to the did:key its kid names', async () => {
    const k = await es256();
    const checked = await checkProof(await signed(k.privateKey, { jwk: k.jwk }, claims()), expectation());
    expect(checked).toEqual({ holder: didJwkOf({ kty: 'EC', crv: 'P-256', x: k.jwk.x, y: k.jwk.y }), nonce: 'n-1' });
    const byKid = await checkProof(await signed(k.privateKey, { kid: `${checked.holder}#0` }, claims()), expectation());
    expect(byKid.holder).toBe(checked.holder);
    const pair = await generate();
    const did = `did:key:${pair.publicKeyMultibase}`;
    expect((await checkProof(await edProof(pair, { kid: `${did}#${pair.publicKeyMultibase}` }, claims()), expectation())).holder).toBe(did);
  });

  it('refuses another type, algorithm, a key named twice or not at all, a private key, and a kid that is no key of its DID', async () => {
    const k = await es256();
    const { d: _d, ...pub } = (await exportJWK((await generateKeyPair('ES256', { extractable: true })).privateKey));
    expect(_d).toBeDefined();
    const privateJwk = await exportJWK((await generateKeyPair('ES256', { extractable: true })).privateKey);
    const pair = await generate();
    const did = `did:key:${pair.publicKeyMultibase}`;
    const cases: Array<[string, Promise<string>]> = [
      ['typ JWT', signed(k.privateKey, { typ: 'JWT', jwk: k.jwk }, claims())],
      ['jwk and kid', signed(k.privateKey, { jwk: k.jwk, kid: 'did:jwk:x#0' }, claims())],
      ['no key', signed(k.privateKey, {}, claims())],
      ['private key', signed(k.privateKey, { jwk: privateJwk }, claims())],
      ['x5c', signed(k.privateKey, { jwk: k.jwk, x5c: ['MII'] }, claims())],
      ['other kid', edProof(pair, { kid: `${did}#z6MkSomethingElse` }, claims())],
      ['did:web kid', edProof(pair, { kid: 'did:web:elsewhere.example#key-1' }, claims())],
      ['not a jwt', Promise.resolve('not-a-jwt')],
      ['alg none', Promise.resolve(`${Buffer.from(JSON.stringify({ typ: 'openid4vci-proof+jwt', alg: 'none', jwk: pub })).toString('base64url')}.${Buffer.from(JSON.stringify(claims())).toString('base64url')}.`)],
    ];
    for (const [name, jwt] of cases) expect(await refusal(checkProof(await jwt, expectation())), name).toBe('invalid_proof');
  });

  it('refuses a signature by another key than the one named', async () => {
    const [named, other] = [await es256(), await es256()];
    expect(await refusal(checkProof(await signed(other.privateKey, { jwk: named.jwk }, claims()), expectation()))).toBe('invalid_proof');
    const [a, b] = [await generate(), await generate()];
    const did = `did:key:${a.publicKeyMultibase}`;
    expect(await refusal(checkProof(await edProof(a, { kid: `${did}#${a.publicKeyMultibase}` }, claims(), b), expectation()))).toBe('invalid_proof');
  });

  it('refuses another audience, an old or future issue time, and asks for a nonce when there is none', async () => {
    const k = await es256();
    const at = Math.floor(NOW / 1000);
    const check = async (c: Record<string, unknown>) => refusal(checkProof(await signed(k.privateKey, { jwk: k.jwk }, c), expectation()));
    expect(await check(claims({ aud: 'https://other.example' }))).toBe('invalid_proof');
    expect(await check(claims({ aud: [ISSUER, 'https://other.example'] }))).toBe('invalid_proof');
    expect(await check(claims({ iat: at - 301 }))).toBe('invalid_proof');
    expect(await check(claims({ iat: at + 61 }))).toBe('invalid_proof');
    expect(await check(claims({ iat: undefined }))).toBe('invalid_proof');
    expect(await check(claims({ nonce: undefined }))).toBe('invalid_nonce');
    expect(await check(claims({ iat: at - 299, aud: [ISSUER] }))).toBe('accepted');
  });
});

describe('redemption', () => {
  const AS = 'https://gateway.city.example/oidc';
  const record: ConsentRecord = {
    id: 'urn:uuid:7d1b0b5e-1c2a-4a57-9a0e-0d1e2f3a4b5c', dataSubject: { issuer: AS, sub: 'alice', id: 'urn:ngsi-ld:Person:alice' }, recipient: 'supplier-app',
    purposes: ['https://w3id.org/dpv#ServiceProvision'], personalData: [], legalBasis: 'https://w3id.org/dpv#Consent', givenAt: '2026-01-01T00:00:00Z',
    events: [{ event: 'given', at: '2026-01-01T00:00:00Z' }] as ConsentRecord['events'],
  };
  let opened: OpenedKeys[] = [];
  afterEach(async () => {
    for (const o of opened) await o.close();
    opened = [];
  });
  async function keysAt(now: () => number): Promise<ExpiringKeys> {
    const o = await sqliteKeys.open(now);
    opened.push(o);
    return o.keys;
  }
  async function offers(now: () => number) {
    const keys = await keysAt(now);
    return new CredentialOffers({
      consents: { own: async (c, id) => { if (c.sub !== 'alice' || id !== record.id) throw new Error('not hers'); return record; } },
      credentials: { baseUrl: 'https://gateway.city.example', resolveDid: (d) => resolution.resolve(d), receiptOf: async () => ({}) },
      authorizationServer: AS,
      codes: new StoredSingleUse<OfferedReceipt>({ keys, name: 'oid4vci-code', max: 10, maxPerOwner: 2, rememberUsed: true }),
      nonces: new StoredSingleUse<true>({ keys, name: 'oid4vci-nonce', max: 10 }),
      codeTtlMs: 600_000, nonceTtlMs: 300_000, proofMaxAgeSec: 300, now,
    });
  }
  const reason = async (f: () => Promise<unknown>): Promise<string> => { try { await f(); return 'accepted'; } catch (e) { return (e as RedemptionRefused).reason; } };
  const alice = { issuer: AS, sub: 'alice' };

  it('redeems once; a second use names whose code it was', async () => {
    const o = await offers(() => NOW);
    const made = await o.offer(alice, record.id);
    const code = offerOf(made.uri)?.grants['urn:ietf:params:oauth:grant-type:pre-authorized_code']?.['pre-authorized_code'] as string;
    expect(await o.redeem(code, made.txCode)).toEqual({ sub: 'alice', consentId: record.id });
    let second: RedemptionRefused | undefined;
    try { await o.redeem(code, made.txCode); } catch (e) { second = e as RedemptionRefused; }
    expect(second).toMatchObject({ error: 'invalid_grant', reason: 'pre_authorized_code_used', of: { sub: 'alice', consentId: record.id } });
  });

  it('refuses an expired code, and a wrong transaction code uses the code up', async () => {
    let now = NOW;
    const o = await offers(() => now);
    const codeOf = (m: { uri: string }) => offerOf(m.uri)?.grants['urn:ietf:params:oauth:grant-type:pre-authorized_code']?.['pre-authorized_code'] as string;
    const late = await o.offer(alice, record.id);
    now += 600_000;
    expect(await reason(() => o.redeem(codeOf(late), late.txCode))).toBe('pre_authorized_code_unknown');
    const guessed = await o.offer(alice, record.id);
    expect(await reason(() => o.redeem(codeOf(guessed), guessed.txCode === '000000' ? '000001' : '000000'))).toBe('tx_code_invalid');
    expect(await reason(() => o.redeem(codeOf(guessed), guessed.txCode))).toBe('pre_authorized_code_used');
  });

  it('keeps at most the citizen\'s bound of codes open, forgetting the oldest', async () => {
    const o = await offers(() => NOW);
    const codeOf = (m: { uri: string }) => offerOf(m.uri)?.grants['urn:ietf:params:oauth:grant-type:pre-authorized_code']?.['pre-authorized_code'] as string;
    const made = [await o.offer(alice, record.id), await o.offer(alice, record.id), await o.offer(alice, record.id)];
    const reasons = [];
    for (const m of made) reasons.push(await reason(() => o.redeem(codeOf(m), m.txCode)));
    expect(reasons).toEqual(['pre_authorized_code_unknown', 'accepted', 'accepted']);
  });

  it('offers only a consent in force', async () => {
    const keys = await keysAt(() => NOW);
    const o = new CredentialOffers({
      ...{ authorizationServer: AS, codeTtlMs: 1, nonceTtlMs: 1, proofMaxAgeSec: 1, now: () => NOW },
      consents: { own: async () => ({ ...record, events: [...record.events, { event: 'withdrawn', at: '2026-02-01T00:00:00Z' }] as ConsentRecord['events'] }) },
      credentials: { baseUrl: ISSUER, resolveDid: (d) => resolution.resolve(d), receiptOf: async () => ({}) },
      codes: new StoredSingleUse<OfferedReceipt>({ keys, name: 'c', max: 1 }), nonces: new StoredSingleUse<true>({ keys, name: 'n', max: 1 }),
    });
    await expect(o.offer(alice, record.id)).rejects.toMatchObject({ reason: 'consent_not_in_force', status: 403 });
  });
});
