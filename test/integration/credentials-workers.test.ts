/**
 * Proofs checked in worker threads (credentials.workers), from the built worker in dist/
 * (`npm run build` first): the same answers as in the main thread for a good, a tampered,
 * a revoked receipt and an unknown context; a full queue refuses rather than waits, and
 * nothing it refuses counts as verified.
 */
import { describe, it, expect, beforeAll, afterAll } from 'vitest';
import { join } from 'node:path';
import { randomUUID } from 'node:crypto';
import { Credentials } from '../../src/credentials/index.js';
import { openSqlite, SqliteStatusListStore } from '../../src/store/index.js';
import { loadOrCreateEd25519KeySet } from '../../src/keys/index.js';
import type { ConsentRecord } from '../../src/consent/index.js';
import { REPO } from '../helpers/harness.js';
import { makeTempDir } from '../helpers/temp-dir.js';

const WORKER = new URL(`file://${join(REPO, 'dist', 'credentials', 'proof-worker.js')}`);
let credentials: Credentials;

function record(): ConsentRecord {
  const at = new Date(Date.now() - 1000).toISOString();
  return {
    id: `urn:uuid:${randomUUID()}`, dataSubject: { issuer: 'https://id.example', sub: 'alice', id: 'urn:ngsi-ld:Person:alice' }, recipient: 'app',
    purposes: ['https://w3id.org/dpv#ServiceProvision'], personalData: [{ type: 'https://example.org/Meter', attributes: null }],
    legalBasis: 'https://w3id.org/dpv#Consent', givenAt: at, events: [{ event: 'given', at }],
  };
}

async function make(maxQueue: number): Promise<Credentials> {
  const c = new Credentials({
    keys: await loadOrCreateEd25519KeySet(makeTempDir('vc-workers'), 'vc-assertion'),
    method: 'web', did: null, store: new SqliteStatusListStore(openSqlite(':memory:')),
    didWeb: { webAllow: [], fetchJson: async () => { throw new Error('no network'); }, cacheSize: 4, cacheTtlMs: 60_000 },
    verifyCache: { size: 0, ttlMs: 1 },
    maxPresentationCredentials: 4,
    workers: { size: 2, maxQueue, timeoutMs: 20_000, script: WORKER },
  });
  await c.bind('https://city.example');
  return c;
}

beforeAll(async () => {
  credentials = await make(64);
});
afterAll(async () => {
  await credentials?.close();
});

describe('proofs in worker threads', () => {
  it('answer as the main thread does', async () => {
    const r = record();
    await credentials.consentChanged(r, 'given', Date.now());
    const receipt = await credentials.receiptOf(r, Date.now());
    expect(await credentials.verifyCredential(receipt)).toMatchObject({ verified: true, errors: [] });
    const tampered = structuredClone(receipt) as any;
    tampered.credentialSubject.hasRecipient = 'other';
    expect((await credentials.verifyCredential(tampered)).errors.map((e) => e.code)).toEqual(['proof_invalid']);
    const odd = { ...receipt, '@context': ['https://www.w3.org/ns/credentials/v2', 'https://contexts.example/v1'] };
    expect((await credentials.verifyCredential(odd)).errors.map((e) => e.code)).toEqual(['context_unknown']);
    await credentials.consentChanged(r, 'withdrawn', Date.now());
    expect((await credentials.verifyCredential(receipt)).errors.map((e) => e.code)).toEqual(['credential_revoked']);
  });

  it('a full queue refuses, and a refusal is never a verification', async () => {
    const small = await make(1);
    try {
      const receipts = [];
      for (let i = 0; i < 4; i++) receipts.push(await small.receiptOf(record(), Date.now()));
      const results = await Promise.all(receipts.map((vc) => small.verifyCredential(vc)));
      const codes = results.map((r) => (r.verified ? 'verified' : r.errors[0]!.code));
      expect(codes).toContain('verified');
      expect(codes).toContain('verification_busy');
      for (const r of results) if (!r.verified) expect(r.errors.map((e) => e.code)).toEqual(['verification_busy']);
    } finally {
      await small.close();
    }
  });
});
