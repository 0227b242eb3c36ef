/**
 * Who sees what, held to account: for a few callers and entity types, every cell the
 * explanation claims (type visible or not, each attribute visible or not, an area as a
 * condition) is checked against real requests through the gateway to the broker: a query
 * by type, a query with `attrs`, a retrieval by id. And the provider's twin shows a
 * provider its own types only, naming none of the operator's rules.
 */
import { describe, it, expect, beforeAll, afterAll } from 'vitest';
import { appendFileSync, cpSync, writeFileSync } from 'node:fs';
import { execFileSync } from 'node:child_process';
import { join } from 'node:path';
import { startHarness, token, REPO, type Harness } from '../helpers/harness.js';
import { makeTempDir } from '../helpers/temp-dir.js';
import { doc, target, attrsAnyOf, attrsNoneOf, role, DPV } from '../unit/contracts-fixtures.js';

const E = '/ngsi-ld/v1/entities';
const DISTRICT = { type: 'Polygon', coordinates: [[[4.3, 50.8], [4.4, 50.8], [4.4, 50.9], [4.3, 50.9], [4.3, 50.8]]] };
const marketing = [{ leftOperand: 'purpose', operator: 'isA', rightOperand: 'dpv:Marketing' }];

const contracts = {
  'lights.jsonld': doc('urn:test:lights', { permission: [{ uid: 'urn:test:lights:open', description: 'Street lights are open data.', action: 'ngsi:read', target: target('Streetlight', attrsAnyOf('status', 'location')) }] }),
  'meters.jsonld': doc('urn:test:meters', {
    permission: [{ uid: 'urn:test:meters:office', action: 'ngsi:read', target: target('WaterMeter', attrsNoneOf('owner')), assignee: role('statistics'),
      constraint: [{ leftOperand: 'spatial', operator: 'ngsi:within', rightOperand: DISTRICT }] }],
    prohibition: [{ uid: 'urn:test:meters:no-marketing', action: 'use', target: target('WaterMeter'), constraint: marketing }],
  }),
  'parking.jsonld': doc('urn:test:parking-privacy', { prohibition: [{ uid: 'urn:test:parking-privacy:plates', action: 'use', target: target('ParkingSpot', attrsAnyOf('plate')), constraint: marketing }] }),
};

const parkingContract = doc('urn:test:parking-open', { permission: [{ uid: 'urn:test:parking-open:read', action: 'ngsi:read', target: target('ParkingSpot'), assignee: role('viewer') }] });

const prop = (value: unknown) => ({ type: 'Property', value });
const at = (lon: number, lat: number) => ({ type: 'GeoProperty', value: { type: 'Point', coordinates: [lon, lat] } });
const IN = at(4.35, 50.85);
const OUT = at(4.6, 51.1);
const ENTITIES = [
  { id: 'urn:ngsi-ld:Streetlight:1', type: 'Streetlight', status: prop('on'), power: prop(40), location: IN },
  { id: 'urn:ngsi-ld:WaterMeter:in', type: 'WaterMeter', totalConsumption: prop(120), owner: prop('Ann'), location: IN },
  { id: 'urn:ngsi-ld:WaterMeter:out', type: 'WaterMeter', totalConsumption: prop(80), owner: prop('Bo'), location: OUT },
  { id: 'urn:ngsi-ld:ParkingSpot:1', type: 'ParkingSpot', status: prop('free'), plate: prop('AB-123'), location: IN },
];
const INSIDE = (e: (typeof ENTITIES)[number]) => e.location === IN;
const attrsOf = (e: object) => Object.keys(e).filter((k) => k !== 'id' && k !== 'type').sort();

let h: Harness;
beforeAll(async () => {
  const dir = makeTempDir('who-sees-what');
  for (const [name, d] of Object.entries(contracts)) writeFileSync(join(dir, name), JSON.stringify(d));
  const policiesDir = makeTempDir('policies');
  cpSync(join(REPO, 'policies'), policiesDir, { recursive: true });
  appendFileSync(join(policiesDir, 'roles.csv'), '\np, parking-admin, *, manageContracts:parking\n');
  h = await startHarness({
    contractsDir: dir, policiesDir,
    providers: [{ id: 'parking', owns: [{ tenants: ['@default'], types: ['ParkingSpot'] }] }],
  });
  for (const e of ENTITIES) h.broker.seed(e);
  const made = await h.call('POST', '/admin/providers/parking/contracts', { token: await token(h.issuer, { roles: ['parking-admin'] }), body: parkingContract });
  expect(made.status, made.text).toBe(201);
});
afterAll(async () => h?.close());

const admin = () => token(h.issuer, { roles: ['contract-admin'] });
type Cell = { effect: string; reason: string; attributes: 'all' | string[] | { allExcept: string[] }; conditions: Array<{ kind: string; areas?: unknown[] }>; rules: Array<Record<string, unknown>>; prohibitions: Array<Record<string, unknown>> };
type Row = { type: string | null; name: string; actions: Record<string, Cell> };

const claims = (c: Cell, attr: string): boolean => c.effect === 'permit'
  && (c.attributes === 'all' || (Array.isArray(c.attributes) ? c.attributes.includes(attr) : !c.attributes.allExcept.includes(attr)));

const callers = [
  { name: 'office', roles: ['viewer', 'statistics'], purpose: 'PublicBenefit' },
  { name: 'resident', roles: ['viewer'], purpose: 'PublicBenefit' },
  { name: 'marketer', roles: ['viewer', 'statistics'], purpose: 'Marketing' },
];

describe('every cell explain claims is what the gateway does', () => {
  it.each(callers)('$name', async ({ roles, purpose }) => {
    const res = await h.call('POST', '/admin/contracts/explain', { token: await admin(), body: { caller: { sub: 'alice', clientId: 'test-client', roles, purpose: `${DPV}${purpose}` } } });
    expect(res.status, res.text).toBe(200);
    const rows = res.json().types as Row[];
    const bearer = await token(h.issuer, { roles, extra: { purpose: `${DPV}${purpose}` } });
    let checked = 0;
    for (const type of ['Streetlight', 'WaterMeter', 'ParkingSpot']) {
      const cell = rows.find((r) => r.name === type)?.actions.read;
      const ofType = ENTITIES.filter((e) => e.type === type);
      const query = await h.call('GET', `${E}?type=${type}&limit=100`, { token: bearer });
      if (cell === undefined || cell.effect === 'deny') {
        expect(query.status, `${type}: ${query.text}`).toBe(403);
        for (const e of ofType) {
          const one = await h.call('GET', `${E}/${e.id}`, { token: bearer });
          expect([403, 404], `${e.id}`).toContain(one.status);
          expect(one.text).not.toContain('value');
        }
        checked++;
        continue;
      }
      expect(query.status, `${type}: ${query.text}`).toBe(200);
      const bounded = cell.conditions.some((c) => c.kind === 'within');
      if (bounded) expect(cell.conditions.find((c) => c.kind === 'within')?.areas).toEqual([DISTRICT]);
      const shown = ofType.filter((e) => !bounded || INSIDE(e));
      const expected = (e: (typeof ENTITIES)[number]) => attrsOf(e).filter((a) => claims(cell, a));
      expect(Object.fromEntries((query.json() as Array<{ id: string }>).map((e) => [e.id, attrsOf(e)])), type)
        .toEqual(Object.fromEntries(shown.map((e) => [e.id, expected(e)])));
      for (const e of ofType) {
        const one = await h.call('GET', `${E}/${e.id}`, { token: bearer });
        if (shown.includes(e)) expect(attrsOf(one.json()), e.id).toEqual(expected(e));
        else expect(one.status, e.id).toBe(404);
      }
      for (const attr of new Set(ofType.flatMap(attrsOf))) {
        const asked = await h.call('GET', `${E}?type=${type}&attrs=${attr}`, { token: bearer });
        expect(asked.status, `${type} attrs=${attr}: ${asked.text}`).toBe(claims(cell, attr) ? 200 : 403);
        checked++;
      }
    }
    expect(checked).toBeGreaterThan(3);
  });

  it('the cells name their rules: a description, an area\'s rule, the prohibition that refused', async () => {
    const ask = async (roles: string[], purpose: string) => (await h.call('POST', '/admin/contracts/explain', { token: await admin(), body: { caller: { roles, purpose } } })).json().types as Row[];
    const office = await ask(['viewer', 'statistics'], 'dpv:PublicBenefit');
    expect(office.find((r) => r.name === 'Streetlight')?.actions.read).toMatchObject({ attributes: ['location', 'status'], rules: [{ contract: 'urn:test:lights', rule: 'urn:test:lights:open', index: 0, description: 'Street lights are open data.' }] });
    expect(office.find((r) => r.name === 'WaterMeter')?.actions.read).toMatchObject({ attributes: { allExcept: ['owner'] }, conditions: [{ kind: 'within', rules: [{ rule: 'urn:test:meters:office' }] }] });
    const marketer = await ask(['viewer', 'statistics'], 'dpv:Marketing');
    expect(marketer.find((r) => r.name === 'WaterMeter')?.actions.read).toMatchObject({ effect: 'deny', reason: 'prohibited', prohibitions: [{ contract: 'urn:test:meters', rule: 'urn:test:meters:no-marketing' }] });
    expect(marketer.find((r) => r.name === 'ParkingSpot')?.actions.read).toMatchObject({
      effect: 'permit', attributes: { allExcept: ['plate'] },
      rules: [{ contract: 'parking/urn:test:parking-open', provider: 'parking' }], prohibitions: [{ contract: 'urn:test:parking-privacy' }],
    });
  });
});

describe('explain: who may ask, and what a provider is shown', () => {
  it('the provider\'s twin shows its own types only, and none of the operator\'s rules', async () => {
    const res = await h.call('POST', '/admin/providers/parking/contracts/explain', { token: await token(h.issuer, { roles: ['parking-admin'] }), body: { caller: { roles: ['viewer'], purpose: 'dpv:Marketing' } } });
    expect(res.status, res.text).toBe(200);
    const rows = res.json().types as Row[];
    expect(rows.map((r) => r.name)).toEqual(['ParkingSpot']);
    expect(rows[0]!.actions.read).toMatchObject({ attributes: { allExcept: ['plate'] }, rules: [{ contract: 'parking/urn:test:parking-open' }], prohibitions: [{ hidden: true }] });
    expect(res.text).not.toContain('urn:test:parking-privacy');
  });

  it('refuses callers without the grant, and a bad body without echoing it', async () => {
    const body = { caller: { roles: ['viewer'] } };
    expect((await h.call('POST', '/admin/contracts/explain', { body })).status).toBe(401);
    const viewer = await h.call('POST', '/admin/contracts/explain', { token: await token(h.issuer, { roles: ['viewer'] }), body });
    expect(viewer.status).toBe(403);
    const provider = await h.call('POST', '/admin/contracts/explain', { token: await token(h.issuer, { roles: ['parking-admin'] }), body });
    expect(provider.json()).toMatchObject({ status: 403, detail: expect.stringMatching(/operator/) });
    const bad = await h.call('POST', '/admin/contracts/explain', { token: await admin(), body: { caller: { roles: ['<script>x</script>'], secret: 'hunter2' } } });
    expect(bad.status).toBe(400);
    expect(bad.json()).toMatchObject({ type: 'https://uri.etsi.org/ngsi-ld/errors/BadRequestData', detail: expect.stringMatching(/^Invalid explain request/) });
    expect(bad.text).not.toContain('script');
    expect(bad.text).not.toContain('hunter2');
    const at = await h.call('POST', '/admin/contracts/explain', { token: await admin(), body: { caller: {}, at: 'tomorrow-ish' } });
    expect(at.status).toBe(400);
    expect(at.text).not.toContain('tomorrow-ish');
  });
});

describe('mimtrust contracts explain', () => {
  const CLI = join(REPO, 'dist', 'cli', 'index.js');
  const run = (...args: string[]) => execFileSync(process.execPath, [CLI, 'contracts', 'explain', '--config', join(h.dir, 'mimtrust.json'), ...args], { encoding: 'utf8' });

  it('answers what the admin API answers for the contract files, as JSON or as a table', async () => {
    const when = '2026-06-01T12:00:00Z';
    const cli = JSON.parse(run('--role', 'viewer,statistics', '--client', 'test-client', '--purpose', 'dpv:PublicBenefit', '--at', when, '--json'));
    const api = (await h.call('POST', '/admin/contracts/explain', { token: await admin(), body: { caller: { roles: ['viewer', 'statistics'], clientId: 'test-client', purpose: 'dpv:PublicBenefit' }, at: when } })).json();
    const files = (e: { types: Row[] }) => e.types.filter((r) => r.name !== 'ParkingSpot');
    expect(files(cli)).toEqual(files(api));
    expect(cli.at).toBe('2026-06-01T12:00:00.000Z');
    const table = run('--role', 'viewer', '--role', 'statistics', '--purpose', 'dpv:Marketing');
    expect(table).toMatch(/^WaterMeter {2}<https:\/\/uri\.etsi\.org\/ngsi-ld\/default-context\/WaterMeter>$/m);
    expect(table).toMatch(/^ {2}read +deny +prohibited\n +prohibited by urn:test:meters #0 urn:test:meters:no-marketing$/m);
    expect(table).toMatch(/^ {2}read +permit +location, status\n +by urn:test:lights #0 urn:test:lights:open "Street lights are open data\."$/m);
  });
});
