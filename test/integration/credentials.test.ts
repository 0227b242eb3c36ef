/**
 * Consent receipts and the VC-API through the real gateway over HTTPS with its SQLite
 * store: a citizen gives a consent, downloads its receipt, anyone verifies it; tampering,
 * withdrawal (the status bit, in the served list too) and expiry make it fail; the
 * operator issues credentials; presentations are checked for challenge, domain and
 * holder; a partner's did:web is read from a local HTTPS server on 127.0.0.1 when
 * allow-listed and refused otherwise; an unknown context is refused without a fetch.
 */
import { describe, it, expect, beforeAll, afterAll } from 'vitest';
import { createServer, type Server } from 'node:https';
import { createPresentation, signPresentation } from '@digitalbazaar/vc';
import { from, generate, type Ed25519KeyPair } from '@digitalbazaar/ed25519-multikey';
import { DataIntegrityProof } from '@digitalbazaar/data-integrity';
import { cryptosuite } from '@digitalbazaar/eddsa-rdfc-2022-cryptosuite';
import { decodeList } from '@digitalbazaar/vc-bitstring-status-list';
import { startHarness, token, type Harness } from '../helpers/harness.js';
import { makeTempDir } from '../helpers/temp-dir.js';
import { loadOrCreateSelfSignedCertificate } from '../../src/keys/index.js';
import { documentLoader, PACKAGED_CONTEXTS, type DidDocument } from '../../src/credentials/index.js';

let h: Harness;
let partner: { server: Server; port: number; did: string; key: Ed25519KeyPair; hits: string[] };
/** A second HTTPS server on 127.0.0.1 with a did:web document too, not on the allow-list. */
let stranger: { server: Server; port: number; did: string; key: Ed25519KeyPair; hits: string[] };

const GIVE = { recipient: 'test-client', purposes: ['dpv:ServiceProvision'], personalData: [{ type: 'EnergyMeter', attributes: ['totalActiveEnergyImport'] }] };

async function didWebServer(cert: { cert: string; key: string }) {
  const hits: string[] = [];
  const state = { doc: {} as Record<string, unknown> };
  const server = createServer({ cert: cert.cert, key: cert.key }, (req, res) => {
    hits.push(req.url ?? '');
    if (req.url === '/.well-known/did.json') res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify(state.doc));
    else res.writeHead(200, { 'content-type': 'application/ld+json' }).end(JSON.stringify({ '@context': { anything: 'https://example.org/anything' } }));
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const port = (server.address() as { port: number }).port;
  const did = `did:web:127.0.0.1%3A${port}`;
  const generated = await generate();
  const id = `${did}#key-1`;
  const key = await from({ ...(await generated.export({ publicKey: true, secretKey: true })), id, controller: did });
  state.doc = {
    '@context': ['https://www.w3.org/ns/did/v1', 'https://w3id.org/security/multikey/v1'],
    id: did,
    verificationMethod: [{ id, type: 'Multikey', controller: did, publicKeyMultibase: key.publicKeyMultibase }],
    assertionMethod: [id],
  };
  return { server, port, did, key, hits };
}

/** Signs as a partner would: its own key, the packaged contexts, its DID document as served. */
async function signAs(p: typeof partner, credential: Record<string, unknown>) {
  const doc = await (await fetchDoc(p)).json() as DidDocument;
  const loader = documentLoader({ contexts: PACKAGED_CONTEXTS, resolveDid: async () => doc });
  const { issue } = await import('@digitalbazaar/vc');
  return issue({ credential, suite: new DataIntegrityProof({ signer: p.key.signer(), cryptosuite }), documentLoader: loader });
}

async function fetchDoc(p: typeof partner) {
  const { Agent, fetch } = await import('undici');
  return fetch(`https://127.0.0.1:${p.port}/.well-known/did.json`, { dispatcher: new Agent({ connect: { rejectUnauthorized: false } }) });
}

beforeAll(async () => {
  const certDir = makeTempDir('did-web');
  const cert = await loadOrCreateSelfSignedCertificate(certDir, ['127.0.0.1']);
  partner = await didWebServer(cert);
  stranger = await didWebServer(cert);
  partner.hits.length = 0;
  h = await startHarness({ credentials: { didWeb: { allow: [`127.0.0.1:${partner.port}`], caFile: cert.certPath } } });
});
afterAll(async () => {
  await h?.close();
  for (const s of [partner, stranger]) await new Promise((r) => s?.server.close(r));
});

const citizen = (sub = 'alice') => token(h.issuer, { sub, roles: [], extra: { scope: 'consents' } });
const verify = async (vc: unknown) => (await h.call('POST', '/credentials/verify', { body: { verifiableCredential: vc } })).json();

async function giveAndFetch(sub = 'alice', extra: Record<string, unknown> = {}) {
  const given = await h.call('POST', '/consents', { token: await citizen(sub), body: { ...GIVE, ...extra } });
  expect(given.status, given.text).toBe(201);
  const id = given.json().id as string;
  const receipt = await h.call('GET', `/consents/${encodeURIComponent(id)}/receipt`, { token: await citizen(sub) });
  expect(receipt.status, receipt.text).toBe(200);
  return { id, receipt: receipt.json() };
}

describe('the city\'s identity', () => {
  it('is a did:web of its address, whose document lists its key as a Multikey', async () => {
    const port = new URL(h.gateway.url).port;
    const res = await h.call('GET', '/.well-known/did.json');
    expect(res.status).toBe(200);
    const doc = res.json();
    expect(doc.id).toBe(`did:web:localhost%3A${port}`);
    expect(doc.verificationMethod[0]).toMatchObject({ type: 'Multikey', controller: doc.id, publicKeyMultibase: expect.stringMatching(/^z6Mk/) });
    expect(doc.assertionMethod).toEqual([doc.verificationMethod[0].id]);
    const context = await h.call('GET', '/credentials/contexts/consent-receipt/v1');
    expect(context.headers['content-type']).toMatch(/^application\/ld\+json/);
    expect(context.json()['@context'].hasDataSubject['@id']).toBe('https://w3id.org/dpv#hasDataSubject');
  });
});

describe('consent receipts', () => {
  it('a citizen downloads the receipt of their consent; anyone verifies it', async () => {
    const { id, receipt } = await giveAndFetch();
    expect(receipt).toMatchObject({ type: ['VerifiableCredential', 'ConsentReceiptCredential'], credentialSubject: { id, hasRecipient: 'test-client', hasPurpose: ['https://w3id.org/dpv#ServiceProvision'] } });
    expect(await verify(receipt)).toEqual({ verified: true, checks: ['proof', 'validity', 'status'], warnings: [], errors: [] });
    // Another citizen's receipt answers as missing, and without a token there is none.
    expect((await h.call('GET', `/consents/${encodeURIComponent(id)}/receipt`, { token: await citizen('bob') })).status).toBe(404);
    expect((await h.call('GET', `/consents/${encodeURIComponent(id)}/receipt`)).status).toBe(401);
  });

  it('a tampered receipt fails', async () => {
    const { receipt } = await giveAndFetch();
    receipt.credentialSubject.hasRecipient = 'someone-else';
    expect((await verify(receipt)).errors.map((e: { code: string }) => e.code)).toEqual(['proof_invalid']);
  });

  it('fails once the consent is withdrawn: the bit is set in the served, signed list', async () => {
    const { id, receipt } = await giveAndFetch();
    expect((await verify(receipt)).verified).toBe(true);
    expect((await h.call('POST', `/consents/${encodeURIComponent(id)}/withdraw`, { token: await citizen() })).status).toBe(200);
    expect(await verify(receipt)).toMatchObject({ verified: false, errors: [{ code: 'credential_revoked' }] });
    const listUrl = new URL(receipt.credentialStatus.statusListCredential);
    const list = await h.call('GET', listUrl.pathname);
    expect(list.status).toBe(200);
    expect((await verify(list.json())).verified).toBe(true);
    const bits = await decodeList({ encodedList: list.json().credentialSubject.encodedList });
    expect(bits.getStatus(Number(receipt.credentialStatus.statusListIndex))).toBe(true);
    // The downloaded receipt is still served, and still revoked.
    const again = await h.call('GET', `/consents/${encodeURIComponent(id)}/receipt`, { token: await citizen() });
    expect(again.json()).toEqual(receipt);
    expect((await verify(again.json())).errors.map((e: { code: string }) => e.code)).toEqual(['credential_revoked']);
  });

  it('fails once the consent has expired, and the expiry sets the bit', async () => {
    const { receipt } = await giveAndFetch('alice', { validUntil: new Date(Date.now() + 1500).toISOString() });
    expect((await verify(receipt)).verified).toBe(true);
    await new Promise((r) => setTimeout(r, 1600));
    expect((await verify(receipt)).errors.map((e: { code: string }) => e.code)).toEqual(['credential_expired']);
    // Seeing the records records the expiry; its listener sets the bit.
    await h.call('GET', '/consents', { token: await citizen() });
    expect((await verify(receipt)).errors.map((e: { code: string }) => e.code)).toEqual(['credential_expired', 'credential_revoked']);
  });
});

describe('the VC-API', () => {
  const admin = () => token(h.issuer, { roles: ['contract-admin'] });
  const unsigned = (over: Record<string, unknown> = {}) => ({ '@context': ['https://www.w3.org/ns/credentials/v2'], type: ['VerifiableCredential'], credentialSubject: { id: 'urn:uuid:5e1b0a0e-7d5b-4b8e-9f57-1c1f1d0b2a3c' }, ...over });

  it('issues for the operator only, as the city', async () => {
    const made = await h.call('POST', '/credentials/issue', { token: await admin(), body: { credential: unsigned() } });
    expect(made.status, made.text).toBe(201);
    const vc = made.json().verifiableCredential;
    expect(vc.issuer).toBe((await h.call('GET', '/.well-known/did.json')).json().id);
    expect((await verify(vc)).verified).toBe(true);
    expect((await h.call('POST', '/credentials/issue', { token: await token(h.issuer), body: { credential: unsigned() } })).status).toBe(403);
    expect((await h.call('POST', '/credentials/issue', { body: { credential: unsigned() } })).status).toBe(401);
    const other = await h.call('POST', '/credentials/issue', { token: await admin(), body: { credential: unsigned({ issuer: 'did:web:elsewhere.example' }) } });
    expect(other.json()).toMatchObject({ status: 400, reason: 'issuer_not_city' });
    // A term no context defines is refused, and the answer does not quote it.
    const undefinedTerm = await h.call('POST', '/credentials/issue', { token: await admin(), body: { credential: unsigned({ credentialSubject: { id: 'urn:uuid:1', secretTermX: 'v' } }) } });
    expect(undefinedTerm.json()).toMatchObject({ status: 400, reason: 'credential_invalid' });
    expect(undefinedTerm.text).not.toContain('secretTermX');
  });

  it('an expired credential fails', async () => {
    const made = await h.call('POST', '/credentials/issue', { token: await admin(), body: { credential: unsigned({ validFrom: '2020-01-01T00:00:00Z', validUntil: '2021-01-01T00:00:00Z' }) } });
    expect((await verify(made.json().verifiableCredential)).errors.map((e: { code: string }) => e.code)).toEqual(['credential_expired']);
  });

  it('bad input is a ProblemDetails refusal, not a verification', async () => {
    const res = await h.call('POST', '/credentials/verify', { body: { credential: {} } });
    expect(res.status).toBe(400);
    expect(res.json()).toMatchObject({ status: 400, code: 'BAD_REQUEST', detail: 'Invalid verification request: (body) must have required property \'verifiableCredential\'.' });
    expect((await h.call('POST', '/credentials/verify', { rawBody: '{', headers: { 'content-type': 'application/json' } })).status).toBe(400);
  });

  describe('presentations', () => {
    let holder: Ed25519KeyPair;
    let holderDid: string;
    let vc: Record<string, unknown>;
    const loader = () => documentLoader({ contexts: PACKAGED_CONTEXTS, resolveDid: async () => { throw new Error('not needed to sign'); } });

    async function present(signer: Ed25519KeyPair, holderId: string, challenge: string, domain: string) {
      const presentation = createPresentation({ verifiableCredential: [vc], holder: holderId });
      return signPresentation({ presentation, suite: new DataIntegrityProof({ signer: signer.signer(), cryptosuite }), documentLoader: loader(), challenge, domain });
    }

    async function didKey() {
      const key = await generate();
      const did = `did:key:${key.publicKeyMultibase}`;
      return { did, pair: await from({ ...(await key.export({ publicKey: true, secretKey: true })), id: `${did}#${key.publicKeyMultibase}`, controller: did }) };
    }

    beforeAll(async () => {
      ({ pair: holder, did: holderDid } = await didKey());
      const made = await h.call('POST', '/credentials/issue', { token: await token(h.issuer, { roles: ['contract-admin'] }), body: { credential: unsigned({ credentialSubject: { id: holderDid } }) } });
      vc = made.json().verifiableCredential;
    });

    const check = async (vp: unknown, options: Record<string, unknown>) => (await h.call('POST', '/presentations/verify', { body: { verifiablePresentation: vp, options } })).json();

    it('holds for its challenge and domain, signed by the holder the credential is about', async () => {
      const vp = await present(holder, holderDid, 'n-1', 'verifier.example');
      expect(await check(vp, { challenge: 'n-1', domain: 'verifier.example' })).toMatchObject({ verified: true, errors: [] });
    });

    it('fails for a wrong challenge or domain', async () => {
      const vp = await present(holder, holderDid, 'n-2', 'verifier.example');
      expect((await check(vp, { challenge: 'n-3', domain: 'verifier.example' })).errors).toMatchObject([{ code: 'presentation_proof_invalid' }]);
      expect((await check(vp, { challenge: 'n-2', domain: 'attacker.example' })).errors).toMatchObject([{ code: 'presentation_proof_invalid' }]);
      const noChallenge = await h.call('POST', '/presentations/verify', { body: { verifiablePresentation: vp, options: {} } });
      expect(noChallenge.status).toBe(400);
    });

    it('fails when its holder is not the subject', async () => {
      const { pair, did } = await didKey();
      const vp = await present(pair, did, 'n-4', 'verifier.example');
      expect((await check(vp, { challenge: 'n-4', domain: 'verifier.example' })).errors).toMatchObject([{ code: 'holder_not_subject', credentialIndex: 0 }]);
    });
  });
});

describe('other parties\' DIDs', () => {
  const credential = (did: string) => ({ '@context': ['https://www.w3.org/ns/credentials/v2'], type: ['VerifiableCredential'], issuer: did, validFrom: '2024-01-01T00:00:00Z', credentialSubject: { id: 'urn:uuid:0b8f4f3e-2a59-4f0e-8d4b-6f2b9c7c1e11' } });

  it('a did:web on the allow-list is read from its HTTPS server (the configured CA) and its credential verifies', async () => {
    const signed = await signAs(partner, credential(partner.did));
    partner.hits.length = 0;
    expect(await verify(signed)).toMatchObject({ verified: true });
    expect(partner.hits).toEqual(['/.well-known/did.json']);
    // Kept for a while: a second verification does not fetch again.
    const tampered = { ...signed, validFrom: '2024-01-02T00:00:00Z' };
    expect((await verify(tampered)).verified).toBe(false);
    expect(partner.hits).toEqual(['/.well-known/did.json']);
  });

  it('a did:web not on the allow-list is never fetched', async () => {
    const signed = await signAs(stranger, credential(stranger.did));
    stranger.hits.length = 0;
    expect((await verify(signed)).errors.map((e: { code: string }) => e.code)).toEqual(['did_web_not_allowed']);
    expect(stranger.hits).toEqual([]);
  });

  it('an unknown context URL is refused without a fetch, even from an allow-listed host', async () => {
    const signed = await signAs(partner, credential(partner.did));
    partner.hits.length = 0;
    const odd = { ...signed, '@context': ['https://www.w3.org/ns/credentials/v2', `https://127.0.0.1:${partner.port}/context.jsonld`] };
    expect((await verify(odd)).errors.map((e: { code: string }) => e.code)).toEqual(['context_unknown']);
    expect(partner.hits).toEqual([]);
  });
});

describe('verification for anyone, within a limit per address', () => {
  let limited: Harness;
  beforeAll(async () => {
    limited = await startHarness({ credentials: { verifyRateLimit: { perAddress: 3, windowSec: 60 } } });
  });
  afterAll(async () => {
    await limited?.close();
  });

  it('a flood from one address is answered 429 with Retry-After on both verify routes, quoting nothing it sent', async () => {
    const marker = 'flood-marker-7f3a';
    const body = { verifiableCredential: { '@context': ['https://www.w3.org/ns/credentials/v2'], type: ['VerifiableCredential'], issuer: `did:key:${marker}` } };
    const answers = [];
    for (let i = 0; i < 3; i++) answers.push(await limited.call('POST', '/credentials/verify', { body }));
    expect(answers.map((a) => [a.status, a.json().verified])).toEqual([[200, false], [200, false], [200, false]]);
    for (const [path, sent] of [['/credentials/verify', body], ['/presentations/verify', { verifiablePresentation: { holder: marker }, options: { challenge: marker } }]] as const) {
      const refused = await limited.call('POST', path, { body: sent });
      expect(refused.status, path).toBe(429);
      expect(Number(refused.headers['retry-after'])).toBeGreaterThan(0);
      expect(Number(refused.headers['retry-after'])).toBeLessThanOrEqual(60);
      expect(String(refused.headers['content-type'])).toMatch(/^application\/(problem\+)?json/);
      expect(refused.json()).toMatchObject({ status: 429, reason: 'verification_throttled' });
      expect(refused.text).not.toContain(marker);
    }
    // The limit is the verify routes' own: the rest of the gateway answers as before.
    expect((await limited.call('GET', '/.well-known/did.json')).status).toBe(200);
  });
});
