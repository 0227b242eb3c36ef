import { describe, it, expect, beforeAll, afterAll } from 'vitest';
import { cpSync, writeFileSync, unlinkSync } from 'node:fs';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { startHarness, token, REPO, type Harness } from '../helpers/harness.js';
import { makeTempDir } from '../helpers/temp-dir.js';

let h: Harness;
let contractsDir: string;
const E = '/ngsi-ld/v1/entities';

const tramContract = (uid = 'urn:test:tram', attrs = ['line', 'delay']) => ({
  '@context': ['http://www.w3.org/ns/odrl.jsonld', { ngsi: 'https://mimtrust.org/ns/odrl-ngsi-ld#' }],
  '@type': 'Set',
  uid,
  profile: 'https://mimtrust.org/ns/odrl-ngsi-ld',
  permission: [{
    uid: `${uid}:read`,
    target: { '@type': 'AssetCollection', refinement: [
      { leftOperand: 'ngsi:entityType', operator: 'eq', rightOperand: 'Tram' },
      { leftOperand: 'ngsi:attribute', operator: 'isAnyOf', rightOperand: attrs },
    ] },
    action: 'ngsi:read',
  }],
});

beforeAll(async () => {
  contractsDir = makeTempDir('contracts');
  cpSync(join(REPO, 'test', 'fixtures', 'contracts-city'), contractsDir, { recursive: true });
  h = await startHarness({ contractsDir });
  h.broker.seed({ id: 'urn:ngsi-ld:Tram:1', type: 'Tram', line: { type: 'Property', value: '4' }, delay: { type: 'Property', value: 2 }, driver: { type: 'Property', value: 'Bob' } });
});
afterAll(async () => h?.close());

const admin = () => token(h.issuer, { roles: ['contract-admin'] });
const viewer = () => token(h.issuer, { roles: ['viewer'] });

describe('admin API: contracts', () => {
  it('requires a token and a role that grants manageContracts', async () => {
    expect((await h.call('GET', '/admin/contracts')).status).toBe(401);
    const res = await h.call('GET', '/admin/contracts', { token: await viewer() });
    expect(res.status).toBe(403);
    expect(res.json().decisionId).toBeDefined();
  });

  it('lists the contracts in force, from files', async () => {
    const res = await h.call('GET', '/admin/contracts', { token: await admin() });
    expect(res.status).toBe(200);
    const uids = (res.json() as Array<{ uid: string; source: string }>).map((c) => c.uid);
    expect(uids).toContain('urn:test:parking');
  });

  it('creates a contract that takes effect on the next request, and keeps it in the store', async () => {
    expect((await h.call('GET', `${E}?type=Tram`, { token: await viewer() })).status).toBe(403);
    const res = await h.call('POST', '/admin/contracts', { token: await admin(), body: tramContract() });
    expect(res.status, res.text).toBe(201);
    expect(res.headers.location).toBe('/admin/contracts/urn%3Atest%3Atram');
    const read = await h.call('GET', `${E}?type=Tram`, { token: await viewer() });
    expect(read.status).toBe(200);
    expect(read.json()).toEqual([{ id: 'urn:ngsi-ld:Tram:1', type: 'Tram', line: { type: 'Property', value: '4' }, delay: { type: 'Property', value: 2 } }]);
    const db = new Database(join(h.dir, 'mimtrust.db'), { readonly: true });
    expect(db.prepare('SELECT uid FROM contracts').all()).toEqual([{ uid: 'urn:test:tram' }]);
    db.close();
    const got = await h.call('GET', '/admin/contracts/urn%3Atest%3Atram', { token: await admin() });
    expect(got.json().document.uid).toBe('urn:test:tram');
  });

  it('refuses a second contract with the same uid (409) and a contract outside the profile (400), losing nothing', async () => {
    expect((await h.call('POST', '/admin/contracts', { token: await admin(), body: tramContract() })).status).toBe(409);
    const bad = tramContract('urn:test:bad');
    (bad.permission[0] as Record<string, unknown>).constraint = [{ leftOperand: 'weather', operator: 'eq', rightOperand: 'sunny' }];
    const res = await h.call('POST', '/admin/contracts', { token: await admin(), body: bad });
    expect(res.status).toBe(400);
    expect(res.json().detail).toContain('urn:test:bad:read');
    expect(res.json().detail).toContain('weather');
    const list = (await h.call('GET', '/admin/contracts', { token: await admin() })).json() as Array<{ uid: string }>;
    expect(list.map((c) => c.uid)).toContain('urn:test:tram');
    expect(list.map((c) => c.uid)).not.toContain('urn:test:bad');
    const notJson = await h.call('POST', '/admin/contracts', { token: await admin(), rawBody: '{"uid": ', headers: { 'content-type': 'application/json' } });
    expect(notJson.status).toBe(400);
  });

  it('replaces and deletes an API contract; a file contract cannot be deleted through the API', async () => {
    const put = await h.call('PUT', '/admin/contracts/urn%3Atest%3Atram', { token: await admin(), body: tramContract('urn:test:tram', ['line']) });
    expect(put.status).toBe(200);
    const read = await h.call('GET', `${E}?type=Tram`, { token: await viewer() });
    expect(read.json()[0].delay).toBeUndefined();
    const mismatch = await h.call('PUT', '/admin/contracts/urn%3Atest%3Aother', { token: await admin(), body: tramContract('urn:test:tram') });
    expect(mismatch.status).toBe(400);
    expect((await h.call('DELETE', '/admin/contracts/urn%3Atest%3Atram', { token: await admin() })).status).toBe(204);
    expect((await h.call('GET', `${E}?type=Tram`, { token: await viewer() })).status).toBe(403);
    expect((await h.call('DELETE', '/admin/contracts/urn%3Atest%3Atram', { token: await admin() })).status).toBe(404);
    expect((await h.call('DELETE', '/admin/contracts/urn%3Atest%3Aparking', { token: await admin() })).status).toBe(400);
  });

  it('validates a document without changing anything: errors and warnings at their line and column', async () => {
    const ok = await h.call('POST', '/admin/contracts/validate', { token: await admin(), body: tramContract('urn:test:draft') });
    expect(ok.status).toBe(200);
    expect(ok.json()).toMatchObject({ valid: true, errors: [], contract: { uid: 'urn:test:draft' } });
    // No context of its own: each name falls into the default vocabulary, said once per name.
    expect((ok.json().warnings as Array<{ code: string; message: string }>).map((w) => [w.code, w.message.split(' is ')[0]])).toEqual([
      ['ERR_CONTRACT_UNDEFINED_TERM', 'entity type "Tram"'],
      ['ERR_CONTRACT_UNDEFINED_TERM', 'attribute "line"'],
      ['ERR_CONTRACT_UNDEFINED_TERM', 'attribute "delay"'],
    ]);
    const broken = tramContract('urn:test:broken');
    (broken.permission[0]!.target.refinement[1] as Record<string, unknown>).operator = 'isNonOf';
    const text = JSON.stringify({ ...broken, permision: [] }, null, 2);
    const bad = await h.call('POST', '/admin/contracts/validate', { token: await admin(), rawBody: text, headers: { 'content-type': 'application/json' } });
    expect(bad.status).toBe(200);
    const lines = text.split('\n');
    const lineOf = (needle: string) => lines.findIndex((l) => l.includes(needle)) + 1;
    expect(bad.json()).toMatchObject({
      valid: false,
      errors: [
        { file: 'request', line: lineOf('"isNonOf"'), column: lines[lineOf('"isNonOf"') - 1]!.indexOf('"isNonOf"') + 1, severity: 'error', code: 'ERR_CONTRACT_UNKNOWN_TERM', suggestion: 'isNoneOf' },
        { file: 'request', line: lineOf('"permision"'), column: 3, code: 'ERR_CONTRACT_UNKNOWN_TERM', suggestion: 'permission' },
      ],
    });
    expect(bad.json().contract).toBeUndefined();
    const list = (await h.call('GET', '/admin/contracts', { token: await admin() })).json() as Array<{ uid: string }>;
    expect(list.map((c) => c.uid)).not.toContain('urn:test:draft');
    expect((await h.call('GET', '/admin/contracts/urn%3Atest%3Adraft', { token: await admin() })).status).toBe(404);
    const db = new Database(join(h.dir, 'mimtrust.db'), { readonly: true });
    try {
      expect(db.prepare("SELECT count(*) AS n FROM contracts WHERE uid IN ('urn:test:draft', 'urn:test:broken')").get()).toEqual({ n: 0 });
    } finally {
      db.close();
    }
  });

  it('refuses to validate for a caller without the grant to save contracts there', async () => {
    const res = await h.call('POST', '/admin/contracts/validate', { token: await viewer(), body: tramContract('urn:test:draft') });
    expect(res.status).toBe(403);
    expect(res.json().detail).toBe('No role of the caller allows managing contracts.');
    expect(res.text).not.toContain('urn:test:draft');
  });
});

describe('admin API without providers: the operator\'s namespace', () => {
  const busContract = (uid: string, tenants?: string[]) => ({
    ...tramContract(uid),
    permission: [{
      uid: `${uid}:read`,
      target: { '@type': 'AssetCollection', refinement: [
        { leftOperand: 'ngsi:entityType', operator: 'eq', rightOperand: 'Bus' },
        ...(tenants ? [{ leftOperand: 'ngsi:tenant', operator: 'isAnyOf', rightOperand: tenants }] : []),
      ] },
      action: 'ngsi:read',
    }],
  });

  it('a contract applying in every tenant needs the grant in every tenant', async () => {
    // The operator holds manageContracts (through *) in the default tenant only.
    const operator = await token(h.issuer, { roles: ['operator'] });
    const everywhere = await h.call('POST', '/admin/contracts', { token: operator, body: busContract('urn:test:bus') });
    expect(everywhere.status).toBe(403);
    expect(everywhere.json().detail).toContain('every tenant (*)');
    const here = await h.call('POST', '/admin/contracts', { token: operator, body: busContract('urn:test:bus', ['@default']) });
    expect(here.status, here.text).toBe(201);
    expect(here.json()).toMatchObject({ provider: null, tenants: ['@default'] });
    expect((await h.call('PUT', '/admin/contracts/urn%3Atest%3Abus', { token: operator, body: busContract('urn:test:bus', ['@default', 'mobility']) })).status).toBe(403);
    expect((await h.call('DELETE', '/admin/contracts/urn%3Atest%3Abus', { token: operator })).status).toBe(204);
  });

  it('an API contract\'s uid never blocks a contract file that takes it later', async () => {
    expect((await h.call('POST', '/admin/contracts', { token: await admin(), body: busContract('urn:test:squat') })).status).toBe(201);
    const reported = h.nextLog(/^contracts reloaded/);
    writeFileSync(join(contractsDir, 'squat.jsonld'), JSON.stringify(tramContract('urn:test:squat')));
    await reported;
    const list = (await h.call('GET', '/admin/contracts', { token: await admin() })).json() as Array<{ uid: string; source: string }>;
    expect(list.filter((c) => c.uid === 'urn:test:squat').map((c) => c.source).sort()).toEqual(['api:@operator/urn:test:squat', 'squat.jsonld']);
    expect((await h.call('GET', `${E}?type=Tram`, { token: await viewer() })).status).toBe(200);
    expect((await h.call('DELETE', '/admin/contracts/urn%3Atest%3Asquat', { token: await admin() })).status).toBe(204);
    const removed = h.nextLog(/^contracts reloaded/);
    unlinkSync(join(contractsDir, 'squat.jsonld'));
    await removed;
    expect((await h.call('GET', `${E}?type=Tram`, { token: await viewer() })).status).toBe(403);
  });
});

describe('admin API: dry run', () => {
  it('says why a request would be denied, and what a permitted one would show', async () => {
    const deny = await h.call('POST', '/admin/decisions', { token: await admin(), body: {
      request: { method: 'GET', url: '/ngsi-ld/v1/entities?type=ParkingSpot&attrs=ownerReference' },
      caller: { sub: 'alice', roles: ['viewer'] },
    } });
    expect(deny.status).toBe(200);
    expect(deny.json()).toMatchObject({ effect: 'deny', reason: 'attribute_not_permitted', operation: 'entity.query', action: 'read' });
    const permit = await h.call('POST', '/admin/decisions', { token: await admin(), body: {
      request: { method: 'GET', url: '/ngsi-ld/v1/entities?type=ParkingSpot' },
      caller: { sub: 'alice', roles: ['viewer'] },
    } });
    const p = permit.json();
    expect(p.effect).toBe('permit');
    expect(p.rules).toEqual([{ contract: 'urn:test:parking', rule: 'urn:test:parking:read' }]);
    expect(p.obligations.view['https://uri.etsi.org/ngsi-ld/default-context/ParkingSpot'].except).toContain('https://uri.etsi.org/ngsi-ld/default-context/ownerReference');
    const roleDenied = await h.call('POST', '/admin/decisions', { token: await admin(), body: {
      request: { method: 'POST', url: '/ngsi-ld/v1/entities', body: { id: 'urn:x', type: 'ParkingSpot' } },
      caller: { roles: ['viewer'] },
    } });
    expect(roleDenied.json()).toMatchObject({ effect: 'deny', reason: 'role_denied' });
    const bad = await h.call('POST', '/admin/decisions', { token: await admin(), body: { request: { method: 'GET' } } });
    expect(bad.status).toBe(400);
  });
});

describe('contracts folder', () => {
  it('picks up a new contract file; a broken file is reported alone, a broken edit keeps the previous version', async () => {
    const tramStatus = async (): Promise<number> => (await h.call('GET', `${E}?type=Tram`, { token: await viewer() })).status;
    // Each change is followed by the gateway's own report of the reload (or of its refusal).
    let reported = h.nextLog(/^contracts reloaded/);
    writeFileSync(join(contractsDir, 'tram.jsonld'), JSON.stringify(tramContract('urn:test:tram-file')));
    await reported;
    expect(await tramStatus()).toBe(200);

    reported = h.nextLog(/^contract broken\.jsonld not loaded/);
    writeFileSync(join(contractsDir, 'broken.jsonld'), '{ "uid": "urn:test:broken", ');
    expect(await reported).toContain('broken.jsonld:1:29: not valid JSON; nothing of it is in force');
    expect(await tramStatus()).toBe(200);

    reported = h.nextLog(/^contract tram\.jsonld not loaded/);
    writeFileSync(join(contractsDir, 'tram.jsonld'), '{ "uid": ');
    expect(await reported).toContain('tram.jsonld:1:10: not valid JSON; its previous version stays in force');
    expect(await tramStatus()).toBe(200);
    const documents = (await h.call('GET', '/admin/contract-documents', { token: await admin() })).json() as Array<Record<string, unknown>>;
    expect(documents.find((d) => d.source === 'tram.jsonld')).toMatchObject({ state: 'previous', uid: 'urn:test:tram-file', problem: { code: 'ERR_CONTRACT_MALFORMED', line: 1, column: 10 } });
    expect(documents.find((d) => d.source === 'broken.jsonld')).toMatchObject({ state: 'absent', problem: { line: 1, column: 29 } });

    reported = h.nextLog(/^contracts reloaded/);
    unlinkSync(join(contractsDir, 'broken.jsonld'));
    unlinkSync(join(contractsDir, 'tram.jsonld'));
    await reported;
    expect(await tramStatus()).toBe(403);
  });
});
