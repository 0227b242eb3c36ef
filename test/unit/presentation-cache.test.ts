/**
 * Presentations verified before: what the cache keeps (signature verdicts, failures for
 * their own time, never failures of the moment, never past a proof's expiry), its bounds,
 * and, through a Verifier with the real proof checks counted, that a repeated presentation
 * costs no proof check while its status and validity are read on every call.
 */
import { describe, it, expect, beforeAll } from 'vitest';
import { createPresentation, signPresentation } from '@digitalbazaar/vc';
import { from, generate } from '@digitalbazaar/ed25519-multikey';
import { DataIntegrityProof } from '@digitalbazaar/data-integrity';
import { cryptosuite } from '@digitalbazaar/eddsa-rdfc-2022-cryptosuite';
import { openSqlite, SqliteStatusListStore } from '../../src/store/index.js';
import { loadOrCreateEd25519KeySet } from '../../src/keys/index.js';
import { Credentials } from '../../src/credentials/index.js';
import { PresentationCache, presentationKey, proofsExpireAt, type SignatureVerdict } from '../../src/credentials/presentation-cache.js';
import { localProofs, Verifier, type ProofChecker } from '../../src/credentials/verify.js';
import type { ConsentRecord } from '../../src/consent/index.js';
import { makeTempDir } from '../helpers/temp-dir.js';

const HELD: SignatureVerdict = { failure: undefined, credentials: [undefined] };
const FAILED: SignatureVerdict = { failure: { code: 'presentation_proof_invalid', message: 'no' }, credentials: [] };
const vp = (n: number, extra: Record<string, unknown> = {}) => ({ type: ['VerifiablePresentation'], holder: `did:key:z${n}`, ...extra });

describe('the presentation cache', () => {
  let t = 1_000_000;
  const cache = (over: Partial<{ size: number; ttlMs: number; failureTtlMs: number }> = {}) => new PresentationCache({ size: 3, ttlMs: 300_000, failureTtlMs: 60_000, now: () => t, ...over });

  it('keys the exact presentation with its challenge and domain', () => {
    const k = presentationKey(vp(1), { challenge: 'a', domain: 'd' });
    expect(presentationKey({ holder: 'did:key:z1', type: ['VerifiablePresentation'] }, { challenge: 'a', domain: 'd' })).toBe(k);
    expect(presentationKey(vp(1), { challenge: 'b', domain: 'd' })).not.toBe(k);
    expect(presentationKey(vp(1), { challenge: 'a' })).not.toBe(k);
    expect(presentationKey(vp(1), { challenge: 'a', domain: 'e' })).not.toBe(k);
    expect(presentationKey(vp(1, { x: 1 }), { challenge: 'a', domain: 'd' })).not.toBe(k);
  });

  it('is bounded in entries: the least recently used goes first', () => {
    const c = cache();
    for (const n of [1, 2, 3]) c.remember(`k${n}`, vp(n), HELD);
    expect(c.get('k1')).toEqual(HELD);
    c.remember('k4', vp(4), HELD);
    expect(c.size).toBe(3);
    expect(c.get('k2')).toBeUndefined();
    expect(c.get('k1')).toEqual(HELD);
  });

  it('is bounded in time, failures for their own shorter time', () => {
    const c = cache();
    c.remember('held', vp(1), HELD);
    c.remember('failed', vp(2), FAILED);
    t += 59_999;
    expect(c.get('failed')).toEqual(FAILED);
    t += 1;
    expect(c.get('failed')).toBeUndefined();
    expect(c.get('held')).toEqual(HELD);
    t += 240_000;
    expect(c.get('held')).toBeUndefined();
  });

  it('does not remember a failure of the moment, in the presentation or in one of its credentials', () => {
    const c = cache();
    for (const code of ['verification_busy', 'verification_unavailable', 'did_unresolved']) {
      c.remember(`p-${code}`, vp(1), { failure: { code, message: 'now' }, credentials: [] });
      c.remember(`c-${code}`, vp(1), { failure: undefined, credentials: [undefined, { code, message: 'now', credentialIndex: 1 }] });
      expect(c.get(`p-${code}`)).toBeUndefined();
      expect(c.get(`c-${code}`)).toBeUndefined();
    }
    const credentialFailed = { failure: undefined, credentials: [{ code: 'proof_invalid', message: 'no', credentialIndex: 0 }] };
    c.remember('c-proof', vp(1), credentialFailed);
    expect(c.get('c-proof')).toEqual(credentialFailed);
  });

  it('never keeps a verdict past the earliest expiry of the proofs it covers', () => {
    const c = cache();
    const expiring = (at: string) => vp(1, { proof: { type: 'DataIntegrityProof' }, verifiableCredential: [{ proof: [{ expires: at }] }] });
    const soon = new Date(t + 10_000).toISOString();
    expect(proofsExpireAt(expiring(soon))).toBe(Date.parse(soon));
    expect(proofsExpireAt(vp(1, { proof: { expires: 'not a date' } }))).toBe(-Infinity);
    expect(proofsExpireAt(vp(1))).toBe(Infinity);
    c.remember('soon', expiring(soon), HELD);
    c.remember('past', expiring(new Date(t - 1).toISOString()), HELD);
    c.remember('odd', vp(1, { proof: { expires: 'not a date' } }), HELD);
    expect(c.get('past')).toBeUndefined();
    expect(c.get('odd')).toBeUndefined();
    t += 9_999;
    expect(c.get('soon')).toEqual(HELD);
    t += 1;
    expect(c.get('soon')).toBeUndefined();
  });

  it('size 0 remembers nothing', () => {
    const c = cache({ size: 0 });
    c.remember('k', vp(1), HELD);
    expect(c.get('k')).toBeUndefined();
  });
});

describe('a Verifier with the cache, the real proof checks counted', () => {
  let now = Date.parse('2026-02-01T00:00:00Z');
  let credentials: Credentials;
  let holder: Awaited<ReturnType<typeof generate>>;
  let holderDid: string;
  const counted = { presentations: 0, credentials: 0 };
  let verifier: Verifier;

  const record = (id: string, validUntil?: string): ConsentRecord => ({
    id,
    dataSubject: { issuer: 'https://id.city.example', sub: holderDid, id: 'urn:ngsi-ld:Person:holder' },
    recipient: 'supplier-app',
    purposes: ['https://w3id.org/dpv#ServiceProvision'],
    personalData: [{ type: 'https://example.org/Home', attributes: null }],
    legalBasis: 'https://w3id.org/dpv#Consent',
    givenAt: '2026-01-01T10:00:00.000Z',
    ...(validUntil === undefined ? {} : { validUntil }),
    events: [{ event: 'given', at: '2026-01-01T10:00:00.000Z' }],
  });

  async function present(vcs: object[], challenge: string) {
    const presentation = createPresentation({ verifiableCredential: vcs, holder: holderDid, now: new Date(now) });
    return signPresentation({ presentation, suite: new DataIntegrityProof({ signer: holder.signer(), cryptosuite }), documentLoader: credentials.loader, challenge, domain: 'verifier.example' });
  }
  const check = async (p: unknown, challenge: string) => (await verifier.presentation(p, { challenge, domain: 'verifier.example' })).errors.map((e) => e.code);

  beforeAll(async () => {
    credentials = new Credentials({
      keys: await loadOrCreateEd25519KeySet(makeTempDir('vc-keys'), 'vc-assertion'),
      method: 'web', did: null,
      store: new SqliteStatusListStore(openSqlite(':memory:'), 64),
      didWeb: { webAllow: [], fetchJson: async () => { throw new Error('no network in this test'); }, cacheSize: 10, cacheTtlMs: 60_000 },
      verifyCache: { size: 0, ttlMs: 1 },
      presentationCache: { size: 0, ttlMs: 1, failureTtlMs: 1 },
      maxPresentationCredentials: 4,
      now: () => now,
    });
    await credentials.bind('https://city.example:8443');
    const key = await generate();
    holderDid = `did:key:${key.publicKeyMultibase}`;
    holder = await from({ ...(await key.export({ publicKey: true, secretKey: true })), id: `${holderDid}#${key.publicKeyMultibase}`, controller: holderDid });
    const real = localProofs(credentials.loader);
    const proofs: ProofChecker = {
      credential: (c, at) => { counted.credentials++; return real.credential(c, at); },
      presentation: (p, o, at, known) => { counted.presentations++; return real.presentation(p, o, at, known); },
    };
    // No credential-proof cache: every proof check the presentation cache saves shows in the counts.
    verifier = new Verifier({
      loader: credentials.loader, isSet: (e) => credentials.statusLists.isSet(e), cacheSize: 0, cacheTtlMs: 1,
      presentationCache: { size: 100, ttlMs: 300_000, failureTtlMs: 60_000 }, maxCredentials: 4, proofs, now: () => now,
    });
  });

  it('checks a repeated presentation\'s proofs once, and its status on every call: revoked after, it fails', async () => {
    const id = 'urn:uuid:00000000-0000-4000-8000-0000000000a1';
    await credentials.consentChanged(record(id), 'given', now);
    const vp1 = await present([await credentials.receiptOf(record(id), now)], 'r-1');
    const before = { ...counted };
    expect(await check(vp1, 'r-1')).toEqual([]);
    expect(await check(vp1, 'r-1')).toEqual([]);
    expect(counted.presentations - before.presentations).toBe(1);
    expect(counted.credentials - before.credentials).toBe(0);
    await credentials.consentChanged(record(id), 'withdrawn', now);
    expect(await check(vp1, 'r-1')).toEqual(['credential_revoked']);
    expect(counted.presentations - before.presentations).toBe(1);
  });

  it('checks validity on every call: expired after, it fails', async () => {
    const id = 'urn:uuid:00000000-0000-4000-8000-0000000000a2';
    const r = record(id, new Date(now + 60_000).toISOString());
    await credentials.consentChanged(r, 'given', now);
    const vp2 = await present([await credentials.receiptOf(r, now)], 'r-2');
    expect(await check(vp2, 'r-2')).toEqual([]);
    now += 60_000;
    expect(await check(vp2, 'r-2')).toEqual(['credential_expired']);
  });

  it('remembers a failed presentation proof and a failed credential proof: checked once, never a success', async () => {
    const id = 'urn:uuid:00000000-0000-4000-8000-0000000000a3';
    await credentials.consentChanged(record(id), 'given', now);
    const receipt = await credentials.receiptOf(record(id), now);
    const vp3 = await present([receipt], 'r-3');
    let before = { ...counted };
    for (let i = 0; i < 3; i++) expect(await check(vp3, 'wrong')).toEqual(['presentation_proof_invalid']);
    expect(counted.presentations - before.presentations).toBe(1);
    // The holder signs a presentation around a tampered credential: the presentation holds, the credential does not.
    const tampered = { ...receipt, validFrom: '2020-01-01T00:00:00.000Z' };
    const vp4 = await present([tampered], 'r-4');
    before = { ...counted };
    for (let i = 0; i < 3; i++) expect(await check(vp4, 'r-4')).toEqual(['proof_invalid']);
    expect(counted.presentations - before.presentations).toBe(1);
    expect(counted.credentials - before.credentials).toBe(1);
    // The failure is kept for failureTtlMs, then checked again (and fails again).
    now += 60_000;
    expect(await check(vp4, 'r-4')).toEqual(['proof_invalid']);
    expect(counted.presentations - before.presentations).toBe(2);
  });
});
