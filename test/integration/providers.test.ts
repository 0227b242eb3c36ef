/**
 * Two data providers, each with its own contract administrators, in front of one broker:
 * each tries to open, delete, replace and shadow the other's data through the admin API.
 */
import { describe, it, expect, beforeAll, afterAll } from 'vitest';
import { appendFileSync, cpSync, unlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { startHarness, token, REPO, type Harness } from '../helpers/harness.js';
import { makeTempDir } from '../helpers/temp-dir.js';

const E = '/ngsi-ld/v1/entities';
const V = 'https://uri.etsi.org/ngsi-ld/default-context/';
const PARKING = '/admin/providers/parking/contracts';
const TRANSIT = '/admin/providers/transit/contracts';

let h: Harness;
let contractsDir: string;

type Rule = Record<string, unknown>;
const contract = (uid: string, rules: { permission?: Rule[]; prohibition?: Rule[] }) => ({
  '@context': ['http://www.w3.org/ns/odrl.jsonld', { ngsi: 'https://mimtrust.org/ns/odrl-ngsi-ld#' }],
  '@type': 'Set',
  uid,
  profile: 'https://mimtrust.org/ns/odrl-ngsi-ld',
  ...rules,
});
const ofType = (type: string) => ({ leftOperand: 'ngsi:entityType', operator: 'eq', rightOperand: type });
const inTenants = (...t: string[]) => ({ leftOperand: 'ngsi:tenant', operator: 'isAnyOf', rightOperand: t });
const rule = (uid: string, refinement: Rule[], more: Rule = {}): Rule => ({ uid, target: { '@type': 'AssetCollection', refinement }, action: 'ngsi:read', ...more });
const forRole = (r: string) => ({ assignee: { '@type': 'PartyCollection', refinement: [{ leftOperand: 'ngsi:role', operator: 'eq', rightOperand: r }] } });
const reads = (uid: string, type: string, r = 'viewer', more: Rule[] = []) => contract(uid, { permission: [rule(`${uid}:read`, [ofType(type), ...more], forRole(r))] });

const as = (...roles: string[]) => token(h.issuer, { sub: roles.join('+'), roles });
const status = async (path: string, roles: string[], tenant?: string): Promise<number> =>
  (await h.call('GET', path, { token: await as(...roles), ...(tenant ? { headers: { 'ngsild-tenant': tenant } } : {}) })).status;

function auditRows(where: string): Array<Record<string, unknown>> {
  const db = new Database(join(h.dir, 'mimtrust.db'), { readonly: true });
  try {
    return db.prepare(`SELECT operation, effect, reason, rules, providers, targets FROM audit_records WHERE ${where} ORDER BY seq`).all() as Array<Record<string, unknown>>;
  } finally {
    db.close();
  }
}

beforeAll(async () => {
  const policiesDir = makeTempDir('policies');
  cpSync(join(REPO, 'policies'), policiesDir, { recursive: true });
  appendFileSync(join(policiesDir, 'roles.csv'), [
    '',
    'p, parking-admin, *, manageContracts:parking',
    'p, transit-admin, *, manageContracts:transit',
    'p, transit-default-admin, @default, manageContracts:transit',
    'p, auditor, *, read',
    'p, inspector, *, read',
    '',
  ].join('\n'));
  contractsDir = makeTempDir('contracts');
  writeFileSync(join(contractsDir, 'file-uid.jsonld'), JSON.stringify(reads('urn:test:file-uid', 'OffStreetParking', 'inspector')));
  h = await startHarness({
    contractsDir,
    policiesDir,
    providers: [
      { id: 'parking', title: 'City parking company', owns: [{ tenants: ['@default', 'parking'], types: ['ParkingSpot'] }] },
      { id: 'transit', owns: [{ tenants: ['@default', 'transit'], types: ['Tram'] }] },
    ],
  });
  h.broker.seed({ id: 'urn:ngsi-ld:ParkingSpot:1', type: 'ParkingSpot', status: { type: 'Property', value: 'free' } });
  h.broker.seed({ id: 'urn:ngsi-ld:Tram:1', type: 'Tram', line: { type: 'Property', value: '4' } });
  h.broker.seed({ id: 'urn:ngsi-ld:OffStreetParking:1', type: 'OffStreetParking', name: { type: 'Property', value: 'P1' } });
  h.broker.seed({ id: 'urn:ngsi-ld:ParkingSpot:2', type: 'ParkingSpot', status: { type: 'Property', value: 'busy' } }, 'parking');
  h.broker.seed({ id: 'urn:ngsi-ld:ParkingSpot:3', type: 'ParkingSpot', status: { type: 'Property', value: 'busy' } }, 'transit');
  h.broker.seed({ id: 'urn:ngsi-ld:Tram:2', type: 'Tram', line: { type: 'Property', value: '9' } }, 'transit');
});
afterAll(async () => h?.close());

describe('a provider opens its own data, and only its own', () => {
  it('parking\'s admin opens parking spots, in parking\'s tenants', async () => {
    const res = await h.call('POST', PARKING, { token: await as('parking-admin'), body: reads('urn:test:spots', 'ParkingSpot') });
    expect(res.status, res.text).toBe(201);
    expect(res.headers.location).toBe(`${PARKING}/urn%3Atest%3Aspots`);
    expect(res.json()).toMatchObject({ uid: 'urn:test:spots', provider: 'parking', tenants: ['@default', 'parking'] });
    expect(await status(`${E}?type=ParkingSpot`, ['viewer'])).toBe(200);
    expect(await status(`${E}?type=ParkingSpot`, ['viewer'], 'parking')).toBe(200);
    // The contract names no tenant, and still applies only where parking owns its spots.
    expect(await status(`${E}?type=ParkingSpot`, ['viewer'], 'transit')).toBe(403);
    expect(await status(`${E}?type=Tram`, ['viewer'])).toBe(403);
  });

  it('refuses to open the other provider\'s type, tenant or namespace, naming what is not owned', async () => {
    const tram = await h.call('POST', PARKING, { token: await as('parking-admin'), body: reads('urn:test:steal', 'Tram') });
    expect(tram.status).toBe(403);
    expect(tram.json()).toMatchObject({ status: 403, code: 'FORBIDDEN' });
    expect(tram.json().detail).toContain(`${V}Tram`);
    expect(tram.json().detail).toContain('provider parking');
    const elsewhere = await h.call('POST', PARKING, { token: await as('parking-admin'), body: reads('urn:test:steal', 'ParkingSpot', 'viewer', [inTenants('transit')]) });
    expect(elsewhere.status).toBe(403);
    expect(elsewhere.json().detail).toContain('("transit")');
    const theirs = await h.call('POST', TRANSIT, { token: await as('parking-admin'), body: reads('urn:test:steal', 'Tram') });
    expect(theirs.status).toBe(403);
    expect(theirs.json().detail).toContain('this provider');
    expect(await status(`${E}?type=Tram`, ['viewer'])).toBe(403);
  });

  it('a rule with no type, no assignee and every action opens only the provider\'s own types', async () => {
    const everything = contract('urn:test:everything', { permission: [{ uid: 'all', target: { '@type': 'AssetCollection' }, action: 'use' }] });
    expect((await h.call('POST', PARKING, { token: await as('parking-admin'), body: everything })).status).toBe(201);
    expect(await status(`${E}?type=ParkingSpot`, ['auditor'])).toBe(200);
    expect(await status(`${E}?type=Tram`, ['auditor'])).toBe(403);
    expect(await status(`${E}?type=Tram`, ['auditor'], 'transit')).toBe(403);
    expect(await status(`${E}?type=OffStreetParking`, ['auditor'])).toBe(403);
    expect(await status(`${E}/urn:ngsi-ld:Tram:1`, ['auditor'])).toBe(404);
    expect(await status(`${E}/urn:ngsi-ld:ParkingSpot:1`, ['auditor'])).toBe(200);
    expect((await h.call('DELETE', `${PARKING}/urn:test:everything`, { token: await as('parking-admin') })).status).toBe(204);
  });
});

describe('one provider\'s admin cannot touch the other\'s contracts', () => {
  it('reading, replacing and deleting parking\'s contract as transit are refused, and it stays in force', async () => {
    const admin = await as('transit-admin');
    expect((await h.call('GET', `${PARKING}/urn:test:spots`, { token: admin })).status).toBe(403);
    expect((await h.call('GET', PARKING, { token: admin })).status).toBe(403);
    const put = await h.call('PUT', `${PARKING}/urn:test:spots`, { token: admin, body: reads('urn:test:spots', 'ParkingSpot', 'nobody') });
    expect(put.status).toBe(403);
    expect((await h.call('DELETE', `${PARKING}/urn:test:spots`, { token: admin })).status).toBe(403);
    expect(await status(`${E}?type=ParkingSpot`, ['viewer'])).toBe(200);
    const kept = await h.call('GET', `${PARKING}/urn:test:spots`, { token: await as('parking-admin') });
    expect(kept.json().document).toEqual(reads('urn:test:spots', 'ParkingSpot'));
  });

  it('the same uid in transit\'s namespace is transit\'s own contract and shadows nothing', async () => {
    const admin = await as('transit-admin');
    const same = await h.call('POST', TRANSIT, { token: admin, body: reads('urn:test:spots', 'Tram') });
    expect(same.status, same.text).toBe(201);
    expect(same.json()).toMatchObject({ provider: 'transit', uid: 'urn:test:spots' });
    expect(await status(`${E}?type=Tram`, ['viewer'])).toBe(200);
    expect(await status(`${E}?type=ParkingSpot`, ['viewer'])).toBe(200);
    const list = (await h.call('GET', '/admin/contracts', { token: await as('contract-admin') })).json() as Array<{ uid: string; provider: string | null }>;
    expect(list.filter((c) => c.uid === 'urn:test:spots').map((c) => c.provider).sort()).toEqual(['parking', 'transit']);
  });

  it('a prohibition is refused on the other\'s type, and one without a type reaches only the author\'s own', async () => {
    const admin = await as('transit-admin');
    const onSpots = contract('urn:test:ban', { prohibition: [rule('no-spots', [ofType('ParkingSpot')])] });
    expect((await h.call('POST', TRANSIT, { token: admin, body: onSpots })).status).toBe(403);
    const onAll = contract('urn:test:ban', { prohibition: [{ uid: 'none', target: { '@type': 'AssetCollection' }, action: 'use' }] });
    expect((await h.call('POST', TRANSIT, { token: admin, body: onAll })).status).toBe(201);
    expect(await status(`${E}?type=Tram`, ['viewer'])).toBe(403);
    expect(await status(`${E}?type=ParkingSpot`, ['viewer'])).toBe(200);
    // Parking's admin cannot lift transit's prohibition either.
    expect((await h.call('DELETE', `${TRANSIT}/urn:test:ban`, { token: await as('parking-admin') })).status).toBe(403);
    expect(await status(`${E}?type=Tram`, ['viewer'])).toBe(403);
    expect((await h.call('DELETE', `${TRANSIT}/urn:test:ban`, { token: admin })).status).toBe(204);
    expect(await status(`${E}?type=Tram`, ['viewer'])).toBe(200);
  });

  it('a grant for one tenant covers contracts applying in that tenant only', async () => {
    const admin = await as('transit-default-admin');
    const everywhere = await h.call('POST', TRANSIT, { token: admin, body: reads('urn:test:trams', 'Tram', 'auditor') });
    expect(everywhere.status).toBe(403);
    expect(everywhere.json().detail).toContain('tenant transit');
    const here = await h.call('POST', TRANSIT, { token: admin, body: reads('urn:test:trams', 'Tram', 'auditor', [inTenants('@default')]) });
    expect(here.status, here.text).toBe(201);
    expect(await status(`${E}?type=Tram`, ['auditor'])).toBe(200);
    expect(await status(`${E}?type=Tram`, ['auditor'], 'transit')).toBe(403);
    // Nor may it replace a contract of the provider that applies where it is not granted.
    const wider = await h.call('PUT', `${TRANSIT}/urn:test:spots`, { token: admin, body: reads('urn:test:spots', 'Tram', 'viewer', [inTenants('@default')]) });
    expect(wider.status).toBe(403);
  });
});

describe('validating a provider\'s contract', () => {
  it('needs the grant to save it there, names what the provider does not own, and stores nothing', async () => {
    const draft = reads('urn:test:draft', 'ParkingSpot', 'veiwer');
    const mine = await h.call('POST', `${PARKING}/validate`, { token: await as('parking-admin'), body: draft });
    expect(mine.status, mine.text).toBe(200);
    expect(mine.json()).toMatchObject({ valid: true, errors: [], contract: { provider: 'parking', uid: 'urn:test:draft' } });
    expect(mine.json().warnings).toEqual(expect.arrayContaining([expect.objectContaining({ code: 'ERR_CONTRACT_UNKNOWN_ROLE', suggestion: 'viewer' })]));
    const notOwned = await h.call('POST', `${PARKING}/validate`, { token: await as('parking-admin'), body: reads('urn:test:draft', 'Tram') });
    expect(notOwned.status).toBe(200);
    expect(notOwned.json()).toMatchObject({ valid: false, errors: [{ code: 'ERR_CONTRACT_NOT_OWNED', severity: 'error' }] });
    // Transit's admin may not save there, so may not check there either; nor may a mere reader.
    const other = await h.call('POST', `${PARKING}/validate`, { token: await as('transit-admin'), body: draft });
    expect(other.status).toBe(403);
    expect(other.json().detail).toBe('No role of the caller manages the contracts of this provider.');
    expect((await h.call('POST', `${PARKING}/validate`, { token: await as('viewer'), body: draft })).status).toBe(403);
    // The operator's namespace is checked with the operator's grant only.
    expect((await h.call('POST', '/admin/contracts/validate', { token: await as('parking-admin'), body: draft })).status).toBe(403);
    // A grant for one tenant checks only contracts applying there, as saving does.
    const wide = await h.call('POST', `${TRANSIT}/validate`, { token: await as('transit-default-admin'), body: reads('urn:test:draft', 'Tram') });
    expect(wide.status).toBe(403);
    expect(wide.json().detail).toContain('where this contract applies');
    expect((await h.call('GET', `${PARKING}/urn:test:draft`, { token: await as('parking-admin') })).status).toBe(404);
  });
});

describe('file and API contracts never collide', () => {
  it('an API contract cannot take a file\'s uid', async () => {
    const admin = await as('parking-admin');
    expect((await h.call('POST', PARKING, { token: admin, body: reads('urn:test:file-uid', 'ParkingSpot') })).status).toBe(409);
    expect((await h.call('PUT', `${PARKING}/urn:test:file-uid`, { token: admin, body: reads('urn:test:file-uid', 'ParkingSpot') })).status).toBe(409);
    expect(await status(`${E}?type=OffStreetParking`, ['inspector'])).toBe(200);
  });

  it('a file added with an API contract\'s uid loads beside it, both in force', async () => {
    const admin = await as('parking-admin');
    expect((await h.call('POST', PARKING, { token: admin, body: reads('urn:test:later', 'ParkingSpot', 'auditor') })).status).toBe(201);
    let reported = h.nextLog(/^contracts reloaded/);
    writeFileSync(join(contractsDir, 'later.jsonld'), JSON.stringify(reads('urn:test:later', 'Tram', 'inspector')));
    await reported;
    expect(await status(`${E}?type=Tram`, ['inspector'])).toBe(200);
    expect(await status(`${E}?type=ParkingSpot`, ['auditor'])).toBe(200);
    const list = (await h.call('GET', '/admin/contracts', { token: await as('contract-admin') })).json() as Array<{ uid: string; provider: string | null; source: string }>;
    const later = list.filter((c) => c.uid === 'urn:test:later').map((c) => [c.provider, c.source]);
    expect(later).toHaveLength(2);
    expect(later).toContainEqual(['parking', 'api:parking/urn:test:later']);
    expect(later).toContainEqual([null, 'later.jsonld']);
    // A file cannot take the form of an API contract's key either: that file alone is refused, the rest stays.
    reported = h.nextLog(/^contract squat\.jsonld not loaded/);
    writeFileSync(join(contractsDir, 'squat.jsonld'), JSON.stringify(reads('parking/urn:test:later', 'Tram', 'nobody')));
    expect(await reported).toContain('nothing of it is in force');
    expect(await status(`${E}?type=ParkingSpot`, ['auditor'])).toBe(200);
    expect(await status(`${E}?type=Tram`, ['nobody'])).toBe(403);
    reported = h.nextLog(/^contracts reloaded/);
    unlinkSync(join(contractsDir, 'squat.jsonld'));
    await reported;
  });
});

describe('the operator', () => {
  it('lists the providers and what they own; a provider\'s admin sees its own only', async () => {
    const all = await h.call('GET', '/admin/providers', { token: await as('contract-admin') });
    expect(all.status).toBe(200);
    const parking = (all.json() as Array<Record<string, unknown>>).find((p) => p.id === 'parking');
    expect(parking).toMatchObject({ title: 'City parking company', owns: [{ tenant: '@default', type: `${V}ParkingSpot`, idPatterns: null }, { tenant: 'parking', type: `${V}ParkingSpot`, idPatterns: null }] });
    expect((await h.call('GET', '/admin/providers', { token: await as('parking-admin') })).status).toBe(403);
    expect((await h.call('GET', '/admin/providers/parking', { token: await as('parking-admin') })).json()).toMatchObject({ id: 'parking', contracts: 2 });
    expect((await h.call('GET', '/admin/providers/transit', { token: await as('parking-admin') })).status).toBe(403);
    expect((await h.call('GET', '/admin/providers/nobody', { token: await as('contract-admin') })).status).toBe(404);
    expect((await h.call('GET', '/admin/providers/nobody', { token: await as('parking-admin') })).status).toBe(403);
  });

  it('sees every contract, while a provider\'s admin lists only its own and runs no dry run', async () => {
    const mine = (await h.call('GET', '/admin/contracts', { token: await as('parking-admin') })).json() as Array<{ provider: string | null }>;
    expect(mine.length).toBeGreaterThan(0);
    expect(mine.every((c) => c.provider === 'parking')).toBe(true);
    const dryRun = { request: { method: 'GET', url: `${E}?type=Tram` }, caller: { roles: ['viewer'] } };
    expect((await h.call('POST', '/admin/decisions', { token: await as('parking-admin'), body: dryRun })).status).toBe(403);
    expect((await h.call('POST', '/admin/decisions', { token: await as('contract-admin'), body: dryRun })).json()).toMatchObject({
      effect: 'permit', rules: [{ contract: 'transit/urn:test:spots', rule: 'urn:test:spots:read', provider: 'transit' }],
    });
  });

  it('makes no API contract of its own while providers are configured', async () => {
    const res = await h.call('POST', '/admin/contracts', { token: await as('contract-admin'), body: reads('urn:test:city', 'Tram') });
    expect(res.status).toBe(403);
    expect(res.json().detail).toContain('/admin/providers/{provider}/contracts');
    expect((await h.call('POST', PARKING, { token: await as('contract-admin'), body: reads('urn:test:city', 'ParkingSpot') })).status).toBe(403);
  });
});

describe('audit', () => {
  it('names the provider of the contracts behind a decision', () => {
    const rows = auditRows("operation = 'entity.query' AND effect = 'permit' AND rules LIKE '%parking/urn:test:spots%'");
    expect(rows.length).toBeGreaterThan(0);
    expect(JSON.parse(rows[0]?.providers as string)).toEqual(['parking']);
    const both = auditRows("operation = 'entity.query' AND rules LIKE '%transit/urn:test:spots%'");
    expect(JSON.parse(both[0]?.providers as string)).toEqual(['transit']);
  });

  it('names the provider of admin changes, made or refused', () => {
    const created = auditRows("operation = 'admin.contracts.create' AND effect = 'permit' AND targets LIKE '%urn:test:spots%'");
    expect(created.map((r) => JSON.parse(r.providers as string))).toContainEqual(['parking']);
    const refused = auditRows("operation = 'admin.contracts.delete' AND effect = 'deny' AND targets LIKE '%urn:test:spots%'");
    expect(refused.map((r) => JSON.parse(r.providers as string))).toEqual([['parking']]);
  });
});
