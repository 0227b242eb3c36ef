/**
 * The credentials core without a server: receipts issued from consent records and
 * verified (proof, validity, status read from the store), tampering, revocation,
 * expiry, presentations (challenge, domain, holder), DID resolution and the document
 * loader's refusals, and the pure parts (did:web, status bits, the receipt's shape).
 */
import { describe, it, expect, beforeAll } from 'vitest';
import { createPresentation, signPresentation } from '@digitalbazaar/vc';
import { from, generate } from '@digitalbazaar/ed25519-multikey';
import { DataIntegrityProof } from '@digitalbazaar/data-integrity';
import { cryptosuite } from '@digitalbazaar/eddsa-rdfc-2022-cryptosuite';
import { decodeList } from '@digitalbazaar/vc-bitstring-status-list';
import { openSqlite, SqliteStatusListStore } from '../../src/store/index.js';
import { loadOrCreateEd25519KeySet, rotateEd25519KeySet } from '../../src/keys/index.js';
import { Credentials, didWebOf, didWebLocation, bitAt, setBitAt, holderOf, receiptCredential } from '../../src/credentials/index.js';
import type { ConsentRecord } from '../../src/consent/index.js';
import { makeTempDir } from '../helpers/temp-dir.js';

const BASE = 'https://city.example:8443';
const DID = 'did:web:city.example%3A8443';
const GIVEN = '2026-01-01T10:00:00.000Z';

function record(over: Partial<ConsentRecord> = {}): ConsentRecord {
  return {
    id: 'urn:uuid:00000000-0000-4000-8000-000000000001',
    dataSubject: { issuer: 'https://id.city.example', sub: 'alice', id: 'urn:ngsi-ld:Person:alice' },
    recipient: 'supplier-app',
    purposes: ['https://w3id.org/dpv#ServiceProvision'],
    personalData: [{ type: 'https://uri.fiware.org/ns/data-models#EnergyMeter', attributes: ['https://uri.fiware.org/ns/data-models#totalActiveEnergyImport'] }, { type: 'https://example.org/Home', attributes: null }],
    legalBasis: 'https://w3id.org/dpv#Consent',
    givenAt: GIVEN,
    events: [{ event: 'given', at: GIVEN }],
    ...over,
  };
}

let now = Date.parse('2026-02-01T00:00:00Z');
let credentials: Credentials;
let keysDir: string;

async function make(opts: { method?: 'web' | 'key'; allow?: string[]; fetchJson?: (url: string) => Promise<unknown> } = {}): Promise<Credentials> {
  const c = new Credentials({
    keys: await loadOrCreateEd25519KeySet(keysDir, 'vc-assertion'),
    method: opts.method ?? 'web',
    did: null,
    store: new SqliteStatusListStore(openSqlite(':memory:'), 64),
    didWeb: { webAllow: opts.allow ?? [], fetchJson: opts.fetchJson ?? (async () => { throw new Error('no network in this test'); }), cacheSize: 10, cacheTtlMs: 60_000 },
    verifyCache: { size: 100, ttlMs: 60_000 },
    presentationCache: { size: 100, ttlMs: 60_000, failureTtlMs: 60_000 },
    maxPresentationCredentials: 4,
    now: () => now,
  });
  await c.bind(BASE);
  return c;
}

beforeAll(async () => {
  keysDir = makeTempDir('vc-keys');
  credentials = await make();
});

describe('pure parts', () => {
  it('did:web both ways', () => {
    expect(didWebOf('https://city.example:8443')).toBe(DID);
    expect(didWebOf('https://city.example/tenants/a')).toBe('did:web:city.example:tenants:a');
    expect(didWebLocation(DID)).toEqual({ authority: 'city.example:8443', url: 'https://city.example:8443/.well-known/did.json' });
    expect(didWebLocation('did:web:city.example:tenants:a')?.url).toBe('https://city.example/tenants/a/did.json');
    for (const bad of ['did:web:', 'did:web:a..b', 'did:web:x.example:..', 'did:web:x.example%3A99999', 'did:web:x.example#k', 'did:key:z6Mk', 'did:web:user@x.example']) {
      expect(didWebLocation(bad), bad).toBeUndefined();
    }
  });

  it('status bits are ordered as Bitstring Status List orders them', async () => {
    const bits = new Uint8Array(16);
    setBitAt(bits, 0);
    setBitAt(bits, 13);
    expect([0, 1, 12, 13, 14].map((i) => bitAt(bits, i))).toEqual([true, false, false, true, false]);
    expect(() => bitAt(bits, 128)).toThrow(RangeError);
    const { BitstringStatusList } = await import('@digitalbazaar/vc-bitstring-status-list');
    const decoded = await decodeList({ encodedList: await new BitstringStatusList({ buffer: bits }).encode() });
    expect([0, 1, 13].map((i) => decoded.getStatus(i))).toEqual([true, false, true]);
  });

  it('binds a receipt to a DID when the person has one, else to their account', () => {
    expect(holderOf({ issuer: 'https://id', sub: 'did:key:z6MkabcDEF', id: 'x' })).toBe('did:key:z6MkabcDEF');
    expect(holderOf({ issuer: 'https://id', sub: '6F9619FF-8B86-4011-B42D-00C04FC964FF', id: 'x' })).toBe('urn:uuid:6f9619ff-8b86-4011-b42d-00c04fc964ff');
    expect(holderOf({ issuer: 'https://id', sub: 'alice', id: 'x' })).toBe('urn:mimtrust:account:https%3A%2F%2Fid:alice');
  });

  it('a receipt is the record in DPV terms, with the consent\'s validity', () => {
    const status = { id: `${BASE}/credentials/status/1#3`, type: 'BitstringStatusListEntry' as const, statusPurpose: 'revocation' as const, statusListIndex: '3', statusListCredential: `${BASE}/credentials/status/1` };
    const vc = receiptCredential({ record: record({ validUntil: '2027-01-01T00:00:00.000Z' }), issuer: DID, baseUrl: BASE, status });
    expect(vc).toMatchObject({
      '@context': ['https://www.w3.org/ns/credentials/v2', `${BASE}/credentials/contexts/consent-receipt/v1`],
      type: ['VerifiableCredential', 'ConsentReceiptCredential'],
      issuer: DID, validFrom: GIVEN, validUntil: '2027-01-01T00:00:00.000Z',
      credentialSubject: {
        id: 'urn:uuid:00000000-0000-4000-8000-000000000001', type: 'ConsentRecord',
        hasDataSubject: { id: 'urn:mimtrust:account:https%3A%2F%2Fid.city.example:alice', entityId: 'urn:ngsi-ld:Person:alice' },
        hasRecipient: 'supplier-app', hasLegalBasis: 'https://w3id.org/dpv#Consent',
        hasPersonalData: [{ attribute: ['https://uri.fiware.org/ns/data-models#totalActiveEnergyImport'] }, { entityType: 'https://example.org/Home', everyAttribute: true }],
      },
      credentialStatus: status,
    });
  });
});

describe('receipts', () => {
  it('issue then verify; the same receipt on every download', async () => {
    const r = record();
    await credentials.consentChanged(r, 'given', now);
    const receipt = await credentials.receiptOf(r, now);
    expect(receipt.proof).toMatchObject({ type: 'DataIntegrityProof', cryptosuite: 'eddsa-rdfc-2022', proofPurpose: 'assertionMethod', created: '2026-01-01T10:00:00Z' });
    expect(await credentials.receiptOf(r, now + 1000)).toEqual(receipt);
    expect(await credentials.verifyCredential(receipt)).toEqual({ verified: true, checks: ['proof', 'validity', 'status'], warnings: [], errors: [] });
  });

  it('a tampered receipt fails', async () => {
    const r = record({ id: 'urn:uuid:00000000-0000-4000-8000-000000000002' });
    const receipt = await credentials.receiptOf(r, now);
    const tampered = structuredClone(receipt) as any;
    tampered.credentialSubject.hasPurpose = ['https://w3id.org/dpv#Marketing'];
    const result = await credentials.verifyCredential(tampered);
    expect(result.verified).toBe(false);
    expect(result.errors.map((e) => e.code)).toEqual(['proof_invalid']);
    // Another status entry, to escape a revocation, breaks the proof too. (The index is
    // random in a list of 64 here: another one than the receipt's own, which may be 0.)
    const moved = structuredClone(receipt) as any;
    moved.credentialStatus.statusListIndex = moved.credentialStatus.statusListIndex === '0' ? '1' : '0';
    expect((await credentials.verifyCredential(moved)).errors.map((e) => e.code)).toEqual(['proof_invalid']);
  });

  it('a withdrawn consent\'s receipt fails on its status bit, and the served list says so', async () => {
    const r = record({ id: 'urn:uuid:00000000-0000-4000-8000-000000000003' });
    const receipt = await credentials.receiptOf(r, now);
    expect((await credentials.verifyCredential(receipt)).verified).toBe(true);
    await credentials.consentChanged(r, 'withdrawn', now);
    const result = await credentials.verifyCredential(receipt);
    expect(result.errors.map((e) => e.code)).toEqual(['credential_revoked']);
    const status = receipt.credentialStatus as { statusListCredential: string; statusListIndex: string };
    const list = await credentials.statusLists.listCredential(status.statusListCredential.split('/').pop()!);
    expect(list).toMatchObject({ type: ['VerifiableCredential', 'BitstringStatusListCredential'], issuer: DID });
    expect((await credentials.verifyCredential(list)).verified).toBe(true);
    const bits = await decodeList({ encodedList: (list!.credentialSubject as { encodedList: string }).encodedList });
    expect(bits.getStatus(Number(status.statusListIndex))).toBe(true);
  });

  it('an expired consent\'s receipt fails', async () => {
    const r = record({ id: 'urn:uuid:00000000-0000-4000-8000-000000000004', validUntil: new Date(now + 60_000).toISOString() });
    const receipt = await credentials.receiptOf(r, now);
    expect((await credentials.verifyCredential(receipt)).verified).toBe(true);
    now += 61_000;
    try {
      expect((await credentials.verifyCredential(receipt)).errors.map((e) => e.code)).toContain('credential_expired');
    } finally {
      now -= 61_000;
    }
  });

  it('old receipts stay verifiable after the key rotates (did:web keeps old keys in its document)', async () => {
    const r = record({ id: 'urn:uuid:00000000-0000-4000-8000-000000000005' });
    const before = await credentials.receiptOf(r, now);
    await rotateEd25519KeySet(keysDir, 'vc-assertion');
    const rotated = await make();
    const after = await rotated.receiptOf(r, now);
    expect((after.proof as { verificationMethod: string }).verificationMethod).not.toBe((before.proof as { verificationMethod: string }).verificationMethod);
    expect((rotated.didDocument()!.assertionMethod as string[])).toHaveLength(2);
    // Its own store: the status list names the same index, on its list.
    expect((await rotated.verifyCredential(after)).verified).toBe(true);
    const { credentialStatus: _s, proof: _p, ...unsigned } = before;
    const plain = await credentials.sign(unsigned);
    expect((await rotated.verifyCredential(plain)).verified).toBe(true);
  });

  it('did:key for development: the newest key is the issuer', async () => {
    const dev = await make({ method: 'key' });
    expect(dev.did).toMatch(/^did:key:z6Mk/);
    expect(dev.didDocument()).toBeUndefined();
    const signed = await dev.sign({ '@context': ['https://www.w3.org/ns/credentials/v2'], type: ['VerifiableCredential'], issuer: dev.did, validFrom: GIVEN, credentialSubject: { id: 'urn:uuid:1' } });
    expect((await dev.verifyCredential(signed)).verified).toBe(true);
    expect((await credentials.verifyCredential(signed)).verified).toBe(true);
  });
});

describe('the document loader and DID resolution', () => {
  it('an unknown context URL is refused without a fetch', async () => {
    let fetched = 0;
    const c = await make({ fetchJson: async () => { fetched++; return {}; } });
    const signed = await c.sign({ '@context': ['https://www.w3.org/ns/credentials/v2'], type: ['VerifiableCredential'], issuer: c.did, validFrom: GIVEN, credentialSubject: { id: 'urn:uuid:1' } });
    const odd = { ...signed, '@context': ['https://www.w3.org/ns/credentials/v2', 'https://contexts.example/evil/v1'] };
    const result = await c.verifyCredential(odd);
    expect(result.errors.map((e) => e.code)).toEqual(['context_unknown']);
    await expect(c.loader('https://schema.org/')).rejects.toMatchObject({ reason: 'context_unknown' });
    expect(fetched).toBe(0);
  });

  it('a did:web not on the allow-list is not fetched', async () => {
    let fetched = 0;
    const c = await make({ fetchJson: async () => { fetched++; return {}; } });
    await expect(c.resolveDid('did:web:elsewhere.example')).rejects.toMatchObject({ reason: 'did_web_not_allowed' });
    expect(fetched).toBe(0);
  });

  it('an allow-listed did:web is fetched once, then cached; a document of another DID is refused', async () => {
    const key = await generate({ controller: 'did:web:partner.example' });
    const doc = { '@context': ['https://www.w3.org/ns/did/v1', 'https://w3id.org/security/multikey/v1'], id: 'did:web:partner.example', verificationMethod: [{ id: '#k', type: 'Multikey', controller: 'did:web:partner.example', publicKeyMultibase: key.publicKeyMultibase }], assertionMethod: ['#k'] };
    const urls: string[] = [];
    const c = await make({ allow: ['partner.example', 'liar.example'], fetchJson: async (url) => { urls.push(url); return url.includes('liar') ? { ...doc } : doc; } });
    const resolved = await c.resolveDid('did:web:partner.example');
    expect(resolved.assertionMethod).toEqual(['did:web:partner.example#k']);
    await c.resolveDid('did:web:partner.example');
    expect(urls).toEqual(['https://partner.example/.well-known/did.json']);
    await expect(c.resolveDid('did:web:liar.example')).rejects.toMatchObject({ reason: 'did_unresolved' });
  });
});

/** A key pair named as its did:key names it, for a holder's proofs. */
async function didKeyPair() {
  const key = await generate();
  const did = `did:key:${key.publicKeyMultibase}`;
  return { did, pair: await from({ ...(await key.export({ publicKey: true, secretKey: true })), id: `${did}#${key.publicKeyMultibase}`, controller: did }) };
}

describe('presentations', () => {
  let holder: Awaited<ReturnType<typeof generate>>;
  let holderDid: string;
  let receipt: Record<string, unknown>;

  async function present(signer: typeof holder, holderId: string, challenge: string, domain: string, vcs: object[] = [receipt]) {
    const presentation = createPresentation({ verifiableCredential: vcs, holder: holderId, now: new Date(now) });
    return signPresentation({ presentation, suite: new DataIntegrityProof({ signer: signer.signer(), cryptosuite }), documentLoader: credentials.loader, challenge, domain });
  }

  beforeAll(async () => {
    ({ pair: holder, did: holderDid } = await didKeyPair());
    const r = record({ id: 'urn:uuid:00000000-0000-4000-8000-000000000010', dataSubject: { issuer: 'https://id.city.example', sub: holderDid, id: 'urn:ngsi-ld:Person:holder' } });
    receipt = await credentials.receiptOf(r, now);
  });

  it('holds for its challenge and domain, by the person the receipt is about', async () => {
    const vp = await present(holder, holderDid, 'c-1', 'verifier.example');
    expect(await credentials.verifyPresentation(vp, { challenge: 'c-1', domain: 'verifier.example' })).toMatchObject({ verified: true, errors: [] });
  });

  it('fails for another challenge or domain, or none', async () => {
    const vp = await present(holder, holderDid, 'c-2', 'verifier.example');
    expect((await credentials.verifyPresentation(vp, { challenge: 'c-3', domain: 'verifier.example' })).errors.map((e) => e.code)).toEqual(['presentation_proof_invalid']);
    expect((await credentials.verifyPresentation(vp, { challenge: 'c-2', domain: 'other.example' })).errors.map((e) => e.code)).toEqual(['presentation_proof_invalid']);
    expect((await credentials.verifyPresentation(vp, {})).errors.map((e) => e.code)).toEqual(['challenge_missing']);
  });

  it('fails when its holder is not the person the receipt is about', async () => {
    const { pair: signer, did: otherDid } = await didKeyPair();
    const vp = await present(signer, otherDid, 'c-4', 'verifier.example');
    expect((await credentials.verifyPresentation(vp, { challenge: 'c-4', domain: 'verifier.example' })).errors.map((e) => e.code)).toEqual(['holder_not_subject']);
    // Claiming to be the subject while signing with another key.
    const claimed = await present(signer, holderDid, 'c-5', 'verifier.example');
    expect((await credentials.verifyPresentation(claimed, { challenge: 'c-5', domain: 'verifier.example' })).errors.map((e) => e.code)).toEqual(['holder_not_signer']);
  });

  it('a credential whose proof is remembered is known by its exact content: a changed copy in a new presentation fails', async () => {
    const first = await present(holder, holderDid, 'c-7', 'verifier.example');
    expect((await credentials.verifyPresentation(first, { challenge: 'c-7', domain: 'verifier.example' })).verified).toBe(true);
    const subject = receipt['credentialSubject'] as Record<string, unknown>;
    const changed = { ...receipt, credentialSubject: { ...subject, hasRecipient: 'attacker-app' } };
    const vp = await present(holder, holderDid, 'c-8', 'verifier.example', [changed]);
    const answer = await credentials.verifyPresentation(vp, { challenge: 'c-8', domain: 'verifier.example' });
    expect(answer.verified).toBe(false);
    expect(answer.errors).toMatchObject([{ code: 'proof_invalid', credentialIndex: 0 }]);
    // The remembered credential's presentation proof is still checked: another challenge fails.
    const again = await present(holder, holderDid, 'c-9', 'verifier.example');
    expect((await credentials.verifyPresentation(again, { challenge: 'c-10', domain: 'verifier.example' })).errors.map((e) => e.code)).toEqual(['presentation_proof_invalid']);
  });

  it('fails when a credential in it is revoked, even after a verification was remembered', async () => {
    const vp = await present(holder, holderDid, 'c-6', 'verifier.example');
    expect((await credentials.verifyPresentation(vp, { challenge: 'c-6', domain: 'verifier.example' })).verified).toBe(true);
    await credentials.consentChanged(record({ id: 'urn:uuid:00000000-0000-4000-8000-000000000010' }), 'withdrawn', now);
    const again = await credentials.verifyPresentation(vp, { challenge: 'c-6', domain: 'verifier.example' });
    expect(again.errors).toEqual([{ code: 'credential_revoked', message: 'The credential has been revoked.', credentialIndex: 0 }]);
  });
});
