/**
 * Proofs checked in worker threads (credentials.workers), run here from the TypeScript
 * sources as the built gateway runs them from dist/: the same answers as in the main
 * thread for good, tampered and revoked receipts, an unknown context and presentations
 * (good, for another challenge, tampered credential inside), with the work spread over
 * the workers and the main thread. Failing closed: a full pool refuses rather than
 * waits, a worker that crashes, hangs or answers anything but a verdict refuses the
 * proof, and nothing refused counts as verified.
 */
import { describe, it, expect, beforeAll, afterAll } from 'vitest';
import { randomUUID } from 'node:crypto';
import { createPresentation, signPresentation } from '@digitalbazaar/vc';
import { from, generate } from '@digitalbazaar/ed25519-multikey';
import { DataIntegrityProof } from '@digitalbazaar/data-integrity';
import { cryptosuite } from '@digitalbazaar/eddsa-rdfc-2022-cryptosuite';
import { Credentials, ProofPool } from '../../src/credentials/index.js';
import { openSqlite, SqliteStatusListStore } from '../../src/store/index.js';
import { loadOrCreateEd25519KeySet } from '../../src/keys/index.js';
import type { ConsentRecord } from '../../src/consent/index.js';
import { makeTempDir } from '../helpers/temp-dir.js';

let credentials: Credentials;

function record(sub = 'alice'): ConsentRecord {
  const at = new Date(Date.now() - 1000).toISOString();
  return {
    id: `urn:uuid:${randomUUID()}`, dataSubject: { issuer: 'https://id.example', sub, id: 'urn:ngsi-ld:Person:alice' }, recipient: 'app',
    purposes: ['https://w3id.org/dpv#ServiceProvision'], personalData: [{ type: 'https://example.org/Meter', attributes: null }],
    legalBasis: 'https://w3id.org/dpv#Consent', givenAt: at, events: [{ event: 'given', at }],
  };
}

async function make(workers: { size?: number; maxQueue?: number; timeoutMs?: number; script?: URL } = {}): Promise<Credentials> {
  const c = new Credentials({
    keys: await loadOrCreateEd25519KeySet(makeTempDir('vc-workers'), 'vc-assertion'),
    method: 'web', did: null, store: new SqliteStatusListStore(openSqlite(':memory:')),
    didWeb: { webAllow: [], fetchJson: async () => { throw new Error('no network'); }, cacheSize: 4, cacheTtlMs: 60_000 },
    verifyCache: { size: 0, ttlMs: 1 },
    presentationCache: { size: 0, ttlMs: 1, failureTtlMs: 1 },
    maxPresentationCredentials: 4,
    workers: { size: 2, maxQueue: 64, timeoutMs: 30_000, ...workers },
  });
  await c.bind('https://city.example');
  return c;
}

/** A module for a worker thread that is not a proof worker at all. */
function rogueWorker(code: string): URL {
  return new URL(`data:text/javascript,${encodeURIComponent(`import { parentPort } from 'node:worker_threads'; parentPort.postMessage('ready'); ${code}`)}`);
}

beforeAll(async () => {
  credentials = await make();
});
afterAll(async () => {
  await credentials?.close();
});

describe('proofs in worker threads', () => {
  it('answer as the main thread does, many at once', async () => {
    const records = Array.from({ length: 6 }, () => record());
    for (const r of records) await credentials.consentChanged(r, 'given', Date.now());
    const receipts = await Promise.all(records.map((r) => credentials.receiptOf(r, Date.now())));
    const tampered = receipts.map((vc) => ({ ...structuredClone(vc), credentialSubject: { ...(vc['credentialSubject'] as object), hasRecipient: 'other' } }));
    const answers = await Promise.all([...receipts, ...tampered].map((vc) => credentials.verifyCredential(vc)));
    expect(answers.slice(0, 6).map((a) => a.errors)).toEqual(receipts.map(() => []));
    expect(answers.slice(6).map((a) => a.errors.map((e) => e.code))).toEqual(tampered.map(() => ['proof_invalid']));
    const odd = { ...receipts[0], '@context': ['https://www.w3.org/ns/credentials/v2', 'https://contexts.example/v1'] };
    expect((await credentials.verifyCredential(odd)).errors.map((e) => e.code)).toEqual(['context_unknown']);
    await credentials.consentChanged(records[0]!, 'withdrawn', Date.now());
    expect((await credentials.verifyCredential(receipts[0])).errors.map((e) => e.code)).toEqual(['credential_revoked']);
  });

  it('check presentations too: for their challenge only, and with the credential inside untouched', async () => {
    const key = await generate();
    const did = `did:key:${key.publicKeyMultibase}`;
    const pair = await from({ ...(await key.export({ publicKey: true, secretKey: true })), id: `${did}#${key.publicKeyMultibase}`, controller: did });
    const r = record(did);
    await credentials.consentChanged(r, 'given', Date.now());
    const receipt = await credentials.receiptOf(r, Date.now());
    const present = (vc: object, challenge: string) => signPresentation({
      presentation: createPresentation({ verifiableCredential: [vc], holder: did }),
      suite: new DataIntegrityProof({ signer: pair.signer(), cryptosuite }), documentLoader: credentials.loader, challenge, domain: 'verifier.example',
    });
    const forged = { ...structuredClone(receipt), validUntil: '2999-01-01T00:00:00Z' };
    const [good, other, carriesForged] = await Promise.all([present(receipt, 'c-1'), present(receipt, 'c-2'), present(forged, 'c-3')]);
    const answers = await Promise.all([
      credentials.verifyPresentation(good, { challenge: 'c-1', domain: 'verifier.example' }),
      credentials.verifyPresentation(other, { challenge: 'c-1', domain: 'verifier.example' }),
      credentials.verifyPresentation(carriesForged, { challenge: 'c-3', domain: 'verifier.example' }),
      credentials.verifyPresentation(good, { challenge: 'c-1', domain: 'verifier.example' }),
    ]);
    expect(answers.map((a) => a.errors.map((e) => e.code))).toEqual([[], ['presentation_proof_invalid'], ['proof_invalid'], []]);
  });

  it('a full pool refuses, and a refusal is never a verification', async () => {
    const small = await make({ maxQueue: 1 });
    try {
      const receipts = [];
      for (let i = 0; i < 6; i++) receipts.push(await small.receiptOf(record(), Date.now()));
      await small.verifyCredential(receipts[0]);
      const results = await Promise.all(receipts.map((vc) => small.verifyCredential(vc)));
      const codes = results.map((r) => (r.verified ? 'verified' : r.errors[0]!.code));
      expect(codes).toContain('verified');
      expect(codes).toContain('verification_busy');
      for (const r of results) if (!r.verified) expect(r.errors.map((e) => e.code)).toEqual(['verification_busy']);
    } finally {
      await small.close();
    }
  });

  it('a worker that crashes, hangs or answers no verdict refuses the proof', async () => {
    const receipt = await credentials.receiptOf(record(), Date.now());
    const job = { kind: 'credential' as const, credential: receipt };
    const cases: Array<[string, URL, number]> = [
      ['crashes', rogueWorker('parentPort.on("message", () => process.exit(3));'), 30_000],
      ['throws', rogueWorker('parentPort.on("message", () => { throw new Error("boom"); });'), 30_000],
      ['hangs', rogueWorker('parentPort.on("message", () => {});'), 300],
    ];
    for (const [what, script, timeoutMs] of cases) {
      const pool = new ProofPool({ size: 1, maxQueue: 4, timeoutMs, contexts: [], script });
      try {
        await expect(pool.verify(job, new Map(), Date.now()), what).rejects.toMatchObject({ reason: 'verification_unavailable' });
      } finally {
        await pool.close();
      }
    }
    // Through the module: a worker answering without a verdict, for every proof it is given.
    const fooled = await make({ size: 1, script: rogueWorker('parentPort.on("message", (j) => parentPort.postMessage({ id: j.id }));') });
    try {
      const r = record();
      const vc = await fooled.receiptOf(r, Date.now());
      const answers = await Promise.all(Array.from({ length: 4 }, () => fooled.verifyCredential(vc)));
      const pooled = answers.filter((a) => !a.verified);
      expect(pooled.length).toBeGreaterThan(0);
      for (const a of pooled) expect(a.errors.map((e) => e.code)).toEqual(['proof_invalid']);
    } finally {
      await fooled.close();
    }
  });
});
