/**
 * Credentials the operator issues through the real gateway over HTTPS with its SQLite
 * store: each carries a revocation entry on the city's status lists, the operator revokes
 * it with the VC-API status update, and from then on the served list and every
 * verification says so, a presentation verified before (its signatures remembered)
 * included.
 * Only the operator may do either, both are on the audit log, and consent receipts stay
 * the consent's alone.
 */
import { describe, it, expect, beforeAll, afterAll } from 'vitest';
import { appendFileSync, cpSync } from 'node:fs';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { createPresentation, signPresentation } from '@digitalbazaar/vc';
import { from, generate, type Ed25519KeyPair } from '@digitalbazaar/ed25519-multikey';
import { DataIntegrityProof } from '@digitalbazaar/data-integrity';
import { cryptosuite } from '@digitalbazaar/eddsa-rdfc-2022-cryptosuite';
import { decodeList } from '@digitalbazaar/vc-bitstring-status-list';
import { startHarness, token, REPO, type Harness } from '../helpers/harness.js';
import { makeTempDir } from '../helpers/temp-dir.js';
import { documentLoader, PACKAGED_CONTEXTS } from '../../src/credentials/index.js';

let h: Harness;

beforeAll(async () => {
  const policiesDir = makeTempDir('policies');
  cpSync(join(REPO, 'policies'), policiesDir, { recursive: true });
  appendFileSync(join(policiesDir, 'roles.csv'), '\np, parking-admin, *, manageContracts:parking\n');
  h = await startHarness({
    contractsDir: makeTempDir('contracts'),
    policiesDir,
    providers: [{ id: 'parking', owns: [{ tenants: ['@default'], types: ['ParkingSpot'] }] }],
  });
});
afterAll(async () => {
  await h?.close();
});

const operator = () => token(h.issuer, { roles: ['contract-admin'] });
const providerAdmin = () => token(h.issuer, { roles: ['parking-admin'] });
const unsigned = (over: Record<string, unknown> = {}) => ({
  '@context': ['https://www.w3.org/ns/credentials/v2'], type: ['VerifiableCredential'], credentialSubject: { id: 'urn:uuid:5e1b0a0e-7d5b-4b8e-9f57-1c1f1d0b2a3c' }, ...over,
});
const revoked = (credentialId: string) => ({ credentialId, credentialStatus: [{ type: 'BitstringStatusListCredential', status: 'revoked' }] });
const codes = (v: { errors: Array<{ code: string }> }) => v.errors.map((e) => e.code);

async function issued(over: Record<string, unknown> = {}): Promise<Record<string, any>> {
  const made = await h.call('POST', '/credentials/issue', { token: await operator(), body: { credential: unsigned(over) } });
  expect(made.status, made.text).toBe(201);
  return made.json().verifiableCredential;
}

const verify = async (vc: unknown) => (await h.call('POST', '/credentials/verify', { body: { verifiableCredential: vc } })).json();
const revoke = async (body: unknown, bearer?: string) => h.call('POST', '/credentials/status', { token: bearer ?? await operator(), body });

function auditRows(operation: string): Array<{ effect: string; reason: string; targets: string; sub: string | null }> {
  const db = new Database(h.config.store.path, { readonly: true });
  try {
    return db.prepare('SELECT effect, reason, targets, sub FROM audit_records WHERE operation = ? ORDER BY seq').all(operation) as Array<{ effect: string; reason: string; targets: string; sub: string | null }>;
  } finally {
    db.close();
  }
}

describe('issuing with a status entry', () => {
  it('gives every credential a revocation entry on the city\'s lists, and an id when it has none', async () => {
    const vc = await issued();
    expect(vc.id).toMatch(/^urn:uuid:[0-9a-f-]{36}$/);
    expect(vc.credentialStatus).toMatchObject({
      type: 'BitstringStatusListEntry', statusPurpose: 'revocation',
      statusListCredential: expect.stringMatching(/\/credentials\/status\/[1-9][0-9]*$/), statusListIndex: expect.stringMatching(/^[0-9]+$/),
    });
    expect(await verify(vc)).toEqual({ verified: true, checks: ['proof', 'validity', 'status'], warnings: [], errors: [] });
    const named = await issued({ id: 'https://city.example/credentials/named-1' });
    expect(named.id).toBe('https://city.example/credentials/named-1');
    expect(named.credentialStatus.id).not.toBe(vc.credentialStatus.id);
  });

  it('refuses a credential naming a status of its own, without quoting it', async () => {
    const res = await h.call('POST', '/credentials/issue', {
      token: await operator(),
      body: { credential: unsigned({ credentialStatus: { type: 'BitstringStatusListEntry', statusListCredential: 'https://marker-5d1c.example/list' } }) },
    });
    expect(res.status).toBe(400);
    expect(res.json()).toMatchObject({ status: 400, reason: 'credential_status_given' });
    expect(res.text).not.toContain('marker-5d1c');
  });
});

describe('revoking (POST /credentials/status)', () => {
  it('sets the bit: the served, signed list changes and verification answers credential_revoked; a second revoke changes nothing', async () => {
    const vc = await issued();
    const listPath = new URL(vc.credentialStatus.statusListCredential).pathname;
    const index = Number(vc.credentialStatus.statusListIndex);
    const before = (await h.call('GET', listPath)).json();
    expect((await decodeList({ encodedList: before.credentialSubject.encodedList })).getStatus(index)).toBe(false);

    const res = await revoke(revoked(vc.id));
    expect(res.status, res.text).toBe(200);
    expect(res.json()).toEqual({ credentialStatus: [{ ...vc.credentialStatus, status: 'revoked' }] });
    const after = (await h.call('GET', listPath)).json();
    expect(after.proof.proofValue).not.toBe(before.proof.proofValue);
    expect((await verify(after)).verified).toBe(true);
    expect((await decodeList({ encodedList: after.credentialSubject.encodedList })).getStatus(index)).toBe(true);
    expect(await verify(vc)).toMatchObject({ verified: false, errors: [{ code: 'credential_revoked' }] });

    const again = await revoke(revoked(vc.id));
    expect(again.status).toBe(200);
    expect(again.json()).toEqual(res.json());
    expect((await h.call('GET', listPath)).json()).toEqual(after);
  });

  it('is final: asking for `active` again is refused with 409; `active` for a credential in force changes nothing', async () => {
    const vc = await issued();
    const active = { credentialId: vc.id, credentialStatus: [{ type: 'BitstringStatusListCredential', status: 'active' }] };
    const unchanged = await revoke(active);
    expect(unchanged.status).toBe(200);
    expect(unchanged.json().credentialStatus[0].status).toBe('active');
    expect((await verify(vc)).verified).toBe(true);
    expect((await revoke(revoked(vc.id))).status).toBe(200);
    const undo = await revoke(active);
    expect(undo.status).toBe(409);
    expect(undo.json()).toMatchObject({ status: 409, reason: 'revocation_final' });
    expect(codes(await verify(vc))).toEqual(['credential_revoked']);
  });

  it('is for the operator only: a provider\'s administrator gets 403, no token 401, and nothing is revoked', async () => {
    const vc = await issued();
    const provider = await revoke(revoked(vc.id), await providerAdmin());
    expect(provider.status).toBe(403);
    expect(provider.json()).toMatchObject({ reason: 'operator_only' });
    const nobody = await h.call('POST', '/credentials/status', { body: revoked(vc.id) });
    expect(nobody.status).toBe(401);
    expect((await revoke(revoked(vc.id), await token(h.issuer, { roles: ['viewer'] }))).status).toBe(403);
    expect((await verify(vc)).verified).toBe(true);
    // Issuing is the operator's too.
    expect((await h.call('POST', '/credentials/issue', { token: await providerAdmin(), body: { credential: unsigned() } })).json()).toMatchObject({ status: 403, reason: 'operator_only' });
  });

  it('answers 404 for an id nothing was issued under, and allocates nothing for it', async () => {
    const res = await revoke(revoked('urn:uuid:00000000-0000-4000-8000-00000000dead'));
    expect(res.status).toBe(404);
    expect(res.json()).toMatchObject({ status: 404, reason: 'credential_unknown' });
    expect((await revoke(revoked('urn:uuid:00000000-0000-4000-8000-00000000dead'))).status).toBe(404);
  });

  it('refuses a malformed body with a ProblemDetails 400 that does not quote it', async () => {
    const marker = 'marker-93ab';
    for (const body of [
      { credentialId: marker },
      { credentialId: marker, credentialStatus: [{ type: 'BitstringStatusListCredential', status: marker }] },
      { credentialId: marker, credentialStatus: [{ type: marker, status: 'revoked' }] },
      { credentialId: 7, credentialStatus: [{ type: 'BitstringStatusListCredential', status: 'revoked' }] },
      { credentialId: marker, credentialStatus: [], [marker]: 1 },
    ]) {
      const res = await revoke(body);
      expect(res.status, JSON.stringify(body)).toBe(400);
      expect(res.json()).toMatchObject({ status: 400, code: 'BAD_REQUEST', detail: expect.stringMatching(/^Invalid status update: /) });
      expect(res.text).not.toContain(marker);
    }
    const raw = await h.call('POST', '/credentials/status', { token: await operator(), rawBody: `{"credentialId":"${marker}"`, headers: { 'content-type': 'application/json' } });
    expect(raw.status).toBe(400);
    expect(raw.text).not.toContain(marker);
  });

  it('issuing and revoking are on the audit log, under the credential\'s id', async () => {
    const vc = await issued();
    expect((await revoke(revoked(vc.id))).status).toBe(200);
    await revoke(revoked(vc.id), await providerAdmin());
    const issues = auditRows('credential.issue').filter((r) => r.targets.includes(vc.id));
    expect(issues.map((r) => r.effect)).toEqual(['permit']);
    const revokes = auditRows('credential.revoke');
    expect(revokes.filter((r) => r.targets.includes(vc.id)).map((r) => r.effect)).toEqual(['permit']);
    // Refusals are recorded too: a caller who is not the operator is refused before the body is read.
    expect(revokes.at(-1)).toMatchObject({ effect: 'deny', reason: 'operator_only' });
    expect(revokes.some((r) => r.effect === 'deny' && r.reason === 'credential_unknown')).toBe(true);
  });
});

describe('consent receipts stay the consent\'s', () => {
  const citizen = () => token(h.issuer, { sub: 'alice', roles: [], extra: { scope: 'consents' } });
  const GIVE = { recipient: 'test-client', purposes: ['dpv:ServiceProvision'], personalData: [{ type: 'EnergyMeter', attributes: ['totalActiveEnergyImport'] }] };

  it('a receipt is not found by the status update, under its id or its consent\'s, and still verifies; withdrawing still revokes it', async () => {
    const given = await h.call('POST', '/consents', { token: await citizen(), body: GIVE });
    expect(given.status, given.text).toBe(201);
    const id = given.json().id as string;
    const receipt = (await h.call('GET', `/consents/${encodeURIComponent(id)}/receipt`, { token: await citizen() })).json();
    for (const credentialId of [receipt.id, id]) expect((await revoke(revoked(credentialId))).status).toBe(404);
    expect((await verify(receipt)).verified).toBe(true);
    // An issued credential under the consent's id gets an entry of its own: revoking it leaves the receipt alone.
    const lookalike = await issued({ id });
    expect(lookalike.credentialStatus.id).not.toBe(receipt.credentialStatus.id);
    expect((await revoke(revoked(id))).status).toBe(200);
    expect((await verify(receipt)).verified).toBe(true);
    expect((await h.call('POST', `/consents/${encodeURIComponent(id)}/withdraw`, { token: await citizen() })).status).toBe(200);
    expect(codes(await verify(receipt))).toEqual(['credential_revoked']);
  });
});

describe('a presentation verified before', () => {
  let holder: Ed25519KeyPair;
  let holderDid: string;
  const loader = () => documentLoader({ contexts: PACKAGED_CONTEXTS, resolveDid: async () => { throw new Error('not needed to sign'); } });

  beforeAll(async () => {
    const key = await generate();
    holderDid = `did:key:${key.publicKeyMultibase}`;
    holder = await from({ ...(await key.export({ publicKey: true, secretKey: true })), id: `${holderDid}#${key.publicKeyMultibase}`, controller: holderDid });
  });

  async function present(vc: Record<string, unknown>, challenge: string) {
    const presentation = createPresentation({ verifiableCredential: [vc], holder: holderDid });
    return signPresentation({ presentation, suite: new DataIntegrityProof({ signer: holder.signer(), cryptosuite }), documentLoader: loader(), challenge, domain: 'verifier.example' });
  }
  const check = async (vp: unknown, challenge: string) => (await h.call('POST', '/presentations/verify', { body: { verifiablePresentation: vp, options: { challenge, domain: 'verifier.example' } } })).json();

  it('fails once its credential is revoked, though its proofs are remembered', async () => {
    const vc = await issued({ credentialSubject: { id: holderDid } });
    const vp = await present(vc, 'c-1');
    expect(await check(vp, 'c-1')).toMatchObject({ verified: true, errors: [] });
    expect(await check(vp, 'c-1')).toMatchObject({ verified: true, errors: [] });
    expect((await revoke(revoked(vc.id))).status).toBe(200);
    expect(await check(vp, 'c-1')).toMatchObject({ verified: false, errors: [{ code: 'credential_revoked', credentialIndex: 0 }] });
  });

  it('fails once its credential has expired, though its proofs are remembered', async () => {
    const vc = await issued({ credentialSubject: { id: holderDid }, validUntil: new Date(Date.now() + 1500).toISOString() });
    const vp = await present(vc, 'c-2');
    expect((await check(vp, 'c-2')).verified).toBe(true);
    await new Promise((r) => setTimeout(r, 1600));
    expect(codes(await check(vp, 'c-2'))).toEqual(['credential_expired']);
  });

  it('a presentation whose proof failed fails again, for its challenge and under another', async () => {
    const vc = await issued({ credentialSubject: { id: holderDid } });
    const vp = await present(vc, 'c-3');
    expect(codes(await check(vp, 'c-4'))).toEqual(['presentation_proof_invalid']);
    expect(codes(await check(vp, 'c-4'))).toEqual(['presentation_proof_invalid']);
    expect((await check(vp, 'c-3')).verified).toBe(true);
    const tampered = { ...vp, holder: holderDid, verifiableCredential: [{ ...vc, credentialSubject: { id: holderDid, extra: 1 } }] };
    expect((await check(tampered, 'c-3')).verified).toBe(false);
    expect((await check(tampered, 'c-3')).verified).toBe(false);
  });
});
