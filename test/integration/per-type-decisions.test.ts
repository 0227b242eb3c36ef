/**
 * Three parties as a data provider writes them: street lights are public (no area), a
 * statistics office may read water meters inside one district, and no one may use meters
 * for marketing. The real gateway over HTTPS decides each type on its own rules: the public
 * permission on street lights leaves the office's area on meters in force, whether the
 * request names both types, either of them, a pattern, no type, or one entity by id. And
 * an office asking only for `totalConsumption` gets the meters inside the area: the
 * gateway fetches `location` to place them and leaves it out of the answer.
 */
import { describe, it, expect, beforeAll, afterAll } from 'vitest';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { startHarness, token, type Harness } from '../helpers/harness.js';
import { makeTempDir } from '../helpers/temp-dir.js';

const E = '/ngsi-ld/v1/entities';
const DPV = 'https://w3id.org/dpv#';
const CTX = ['http://www.w3.org/ns/odrl.jsonld', { ngsi: 'https://mimtrust.org/ns/odrl-ngsi-ld#', dpv: DPV }];
const PROFILE = 'https://mimtrust.org/ns/odrl-ngsi-ld';
const DISTRICT = { type: 'Polygon', coordinates: [[[4.3, 50.8], [4.4, 50.8], [4.4, 50.9], [4.3, 50.9], [4.3, 50.8]]] };
const ofType = (t: string) => ({ leftOperand: 'ngsi:entityType', operator: 'eq', rightOperand: t });

const contracts = {
  'lights.jsonld': {
    '@context': CTX, '@type': 'Set', uid: 'urn:test:city:lights', profile: PROFILE,
    permission: [{
      uid: 'urn:test:city:lights:public', action: ['ngsi:read', 'ngsi:readTemporal'],
      target: { '@type': 'AssetCollection', refinement: [ofType('Streetlight'), { leftOperand: 'ngsi:attribute', operator: 'isAnyOf', rightOperand: ['status', 'location'] }] },
    }],
  },
  'statistics.jsonld': {
    '@context': CTX, '@type': 'Set', uid: 'urn:test:city:statistics', profile: PROFILE,
    permission: [{
      uid: 'urn:test:city:statistics:meters', action: ['ngsi:read', 'ngsi:readTemporal', 'ngsi:create', 'ngsi:modify'],
      target: { '@type': 'AssetCollection', refinement: [ofType('WaterMeter')] },
      assignee: { '@type': 'PartyCollection', refinement: [{ leftOperand: 'ngsi:role', operator: 'eq', rightOperand: 'statistics' }] },
      constraint: [{ leftOperand: 'spatial', operator: 'ngsi:within', rightOperand: DISTRICT }],
    }],
  },
  'no-marketing.jsonld': {
    '@context': CTX, '@type': 'Set', uid: 'urn:test:city:no-marketing', profile: PROFILE,
    prohibition: [{
      uid: 'urn:test:city:no-marketing:meters', action: 'use',
      target: { '@type': 'AssetCollection', refinement: [ofType('WaterMeter')] },
      constraint: [{ leftOperand: 'purpose', operator: 'isA', rightOperand: 'dpv:Marketing' }],
    }],
  },
};

const at = (lon: number, lat: number) => ({ type: 'GeoProperty', value: { type: 'Point', coordinates: [lon, lat] } });
const IN = [4.35, 50.85] as const;
const OUT = [4.6, 51.1] as const;
const status = { type: 'Property', value: 'on' };
const consumption = (v: number) => ({ type: 'Property', value: v, unitCode: 'MTQ' });

let h: Harness;
beforeAll(async () => {
  const dir = makeTempDir('per-type');
  for (const [name, doc] of Object.entries(contracts)) writeFileSync(join(dir, name), JSON.stringify(doc));
  h = await startHarness({ contractsDir: dir, pdp: { enabled: true } });
  h.broker.seed({ id: 'urn:ngsi-ld:Streetlight:in', type: 'Streetlight', status, location: at(...IN) });
  h.broker.seed({ id: 'urn:ngsi-ld:Streetlight:out', type: 'Streetlight', status, location: at(...OUT) });
  h.broker.seed({ id: 'urn:ngsi-ld:WaterMeter:in', type: 'WaterMeter', totalConsumption: consumption(120), location: at(...IN) });
  h.broker.seed({ id: 'urn:ngsi-ld:WaterMeter:out', type: 'WaterMeter', totalConsumption: consumption(80), location: at(...OUT) });
  // Placed, but nothing the office's `attrs` asks for.
  h.broker.seed({ id: 'urn:ngsi-ld:WaterMeter:new', type: 'WaterMeter', location: at(...IN) });
  // A street light that is also a meter: outside the district, it shows what the light shows.
  h.broker.seed({ id: 'urn:ngsi-ld:Streetlight:metered-out', type: ['Streetlight', 'WaterMeter'], status, totalConsumption: consumption(7), location: at(...OUT) });
  h.broker.seed({ id: 'urn:ngsi-ld:Streetlight:metered-in', type: ['Streetlight', 'WaterMeter'], status, totalConsumption: consumption(9), location: at(...IN) });
});
afterAll(async () => {
  await h?.close();
});

const as = (purpose: string, roles = ['viewer', 'statistics']) => token(h.issuer, { roles, extra: { purpose: `${DPV}${purpose}` } });
const office = () => as('PublicBenefit');
const resident = () => as('PublicBenefit', ['viewer']);
const marketing = () => as('Marketing');
type Entity = Record<string, unknown> & { id: string };
const byId = (body: unknown) => Object.fromEntries((body as Entity[]).map((e) => [e.id, Object.keys(e).filter((k) => k !== 'id' && k !== 'type').sort()]));

/** What the office sees whichever way it asks for both types: lights anywhere, meters inside. */
const BOTH = {
  'urn:ngsi-ld:Streetlight:in': ['location', 'status'],
  'urn:ngsi-ld:Streetlight:out': ['location', 'status'],
  'urn:ngsi-ld:WaterMeter:in': ['location', 'totalConsumption'],
  'urn:ngsi-ld:WaterMeter:new': ['location'],
  'urn:ngsi-ld:Streetlight:metered-in': ['location', 'status', 'totalConsumption'],
  'urn:ngsi-ld:Streetlight:metered-out': ['location', 'status'],
};

describe('each type is decided on its own rules', () => {
  const queries: Array<[string, string]> = [
    ['both types (,)', `${E}?type=Streetlight,WaterMeter&limit=100`],
    ['either type (|)', `${E}?type=Streetlight|WaterMeter&limit=100`],
    ['idPattern', `${E}?idPattern=urn:ngsi-ld:.*&limit=100`],
    ['no type, by ids', `${E}?id=${Object.keys(BOTH).join(',')},urn:ngsi-ld:WaterMeter:out&limit=100`],
  ];
  it.each(queries)('%s: street lights anywhere, meters inside the district', async (_n, path) => {
    const res = await h.call('GET', path, { token: await office() });
    expect(res.status, res.text).toBe(200);
    expect(byId(res.json())).toEqual(BOTH);
    expect(res.text).not.toContain('"value":80');
    expect(res.text).not.toContain('"value":7');
  });

  it('by id: a meter inside answers, one outside is not found', async () => {
    const inside = await h.call('GET', `${E}/urn:ngsi-ld:WaterMeter:in`, { token: await office() });
    expect(inside.status, inside.text).toBe(200);
    expect(inside.json().totalConsumption.value).toBe(120);
    const outside = await h.call('GET', `${E}/urn:ngsi-ld:WaterMeter:out`, { token: await office() });
    expect(outside.status).toBe(404);
    expect(outside.text).not.toContain('totalConsumption');
  });

  it('a light that is also a meter, outside the district, shows what the light shows', async () => {
    const res = await h.call('GET', `${E}/urn:ngsi-ld:Streetlight:metered-out`, { token: await office() });
    expect(res.status, res.text).toBe(200);
    expect(res.json()).toEqual({ id: 'urn:ngsi-ld:Streetlight:metered-out', type: ['Streetlight', 'WaterMeter'], status, location: at(...OUT) });
    const inside = await h.call('GET', `${E}/urn:ngsi-ld:Streetlight:metered-in`, { token: await office() });
    expect(Object.keys(inside.json()).sort()).toEqual(['id', 'location', 'status', 'totalConsumption', 'type']);
  });

  it('a caller without the office\'s role sees the lights, and no meter through them', async () => {
    const res = await h.call('GET', `${E}?idPattern=urn:ngsi-ld:.*&limit=100`, { token: await resident() });
    expect(res.status).toBe(200);
    expect(byId(res.json())).toEqual({
      'urn:ngsi-ld:Streetlight:in': ['location', 'status'],
      'urn:ngsi-ld:Streetlight:out': ['location', 'status'],
      'urn:ngsi-ld:Streetlight:metered-in': ['location', 'status'],
      'urn:ngsi-ld:Streetlight:metered-out': ['location', 'status'],
    });
    expect((await h.call('GET', `${E}?type=Streetlight,WaterMeter`, { token: await resident() })).status).toBe(403);
  });

  it('the marketing prohibition still wins on every type of an entity', async () => {
    const named = await h.call('GET', `${E}?type=Streetlight,WaterMeter`, { token: await marketing() });
    expect(named.status).toBe(403);
    expect(named.json()).toMatchObject({ reason: 'prohibited', entityType: 'WaterMeter', rules: [{ contract: 'urn:test:city:no-marketing', rule: 'urn:test:city:no-marketing:meters' }] });
    const res = await h.call('GET', `${E}?idPattern=urn:ngsi-ld:.*&limit=100`, { token: await marketing() });
    expect(res.status).toBe(200);
    expect(Object.keys(byId(res.json())).sort()).toEqual(['urn:ngsi-ld:Streetlight:in', 'urn:ngsi-ld:Streetlight:out']);
    expect((await h.call('GET', `${E}/urn:ngsi-ld:Streetlight:metered-out`, { token: await marketing() })).status).toBe(404);
  });

  it('a count stays exact only where no shown type is area-bound', async () => {
    const bounded = await h.call('GET', `${E}?type=Streetlight,WaterMeter&count=true`, { token: await office() });
    expect(bounded.status).toBe(403);
    expect(bounded.json().detail).toMatch(/exact count/);
    const lights = await h.call('GET', `${E}?type=Streetlight&count=true`, { token: await office() });
    expect(lights.status, lights.text).toBe(200);
    expect(lights.headers['ngsild-results-count']).toBe('4');
  });

  it('a write permitted only within an area is refused before the broker, and tells nothing of what exists', async () => {
    const writer = await as('PublicBenefit', ['provider', 'statistics']);
    const writes = () => h.broker.requests.filter((r) => r.method !== 'GET').length;
    const before = writes();
    const created = await h.call('POST', E, { token: writer, body: { id: 'urn:ngsi-ld:WaterMeter:added', type: 'WaterMeter', location: at(...IN) } });
    expect(created.status, created.text).toBe(403);
    expect(created.json().detail).toMatch(/only inside an area/);
    // Inside, outside, or not there at all: one answer, as the office cannot tell where a meter is before writing.
    const patch = (id: string) => h.call('PATCH', `${E}/${id}/attrs`, { token: writer, body: { totalConsumption: consumption(1) } });
    const answers = await Promise.all(['in', 'out', 'none'].map((n) => patch(`urn:ngsi-ld:WaterMeter:${n}`)));
    expect(answers.map((a) => a.status)).toEqual([404, 404, 404]);
    expect(new Set(answers.map((a) => a.json().detail)).size).toBe(1);
    expect(writes()).toBe(before);
    expect(h.broker.entity('urn:ngsi-ld:WaterMeter:in')?.totalConsumption).toEqual(consumption(120));
  });

  it('the decision point over HTTP refuses a permit whose meters must be placed, which only the gateway does', async () => {
    const ask = async (path: string) => (await h.call('POST', '/pdp/v1/decisions', {
      body: { input: { method: 'GET', path, headers: { authorization: `Bearer ${await office()}` } } },
    })).json();
    expect((await ask(`${E}?type=Streetlight,WaterMeter`)).result).toMatchObject({ allow: false, reason: 'obligation_not_enforceable' });
    expect((await ask(`${E}?type=WaterMeter`)).result).toMatchObject({ allow: false, reason: 'obligation_not_enforceable' });
  });
});

describe('obligations fetch what they read', () => {
  const forwarded = () => h.broker.requests.at(-1)!;

  it('attrs=totalConsumption: the meters inside, with only that attribute; location fetched and left out', async () => {
    const res = await h.call('GET', `${E}?type=WaterMeter&attrs=totalConsumption`, { token: await office() });
    expect(res.status, res.text).toBe(200);
    expect(new URL(forwarded().url, 'http://x').searchParams.get('attrs')).toBe('totalConsumption,location');
    expect(res.json()).toEqual([
      { id: 'urn:ngsi-ld:WaterMeter:in', type: 'WaterMeter', totalConsumption: consumption(120) },
      { id: 'urn:ngsi-ld:Streetlight:metered-in', type: ['Streetlight', 'WaterMeter'], totalConsumption: consumption(9) },
    ]);
  });

  it('by id with attrs, inside and outside; and attrs naming location are forwarded as they are', async () => {
    const inside = await h.call('GET', `${E}/urn:ngsi-ld:WaterMeter:in?attrs=totalConsumption`, { token: await office() });
    expect(inside.status, inside.text).toBe(200);
    expect(inside.json()).toEqual({ id: 'urn:ngsi-ld:WaterMeter:in', type: 'WaterMeter', totalConsumption: consumption(120) });
    expect((await h.call('GET', `${E}/urn:ngsi-ld:WaterMeter:out?attrs=totalConsumption`, { token: await office() })).status).toBe(404);
    // Held only for placing: the office never asked for it, so a meter with nothing else is not found.
    expect((await h.call('GET', `${E}/urn:ngsi-ld:WaterMeter:new?attrs=totalConsumption`, { token: await office() })).status).toBe(404);
    const asked = await h.call('GET', `${E}?type=WaterMeter&attrs=totalConsumption,location`, { token: await office() });
    expect(new URL(forwarded().url, 'http://x').searchParams.get('attrs')).toBe('totalConsumption,location');
    expect(byId(asked.json())).toEqual({
      'urn:ngsi-ld:WaterMeter:in': ['location', 'totalConsumption'],
      'urn:ngsi-ld:WaterMeter:new': ['location'],
      'urn:ngsi-ld:Streetlight:metered-in': ['location', 'totalConsumption'],
    });
  });

  it('pick and omit: location is picked and not omitted at the broker, and left out of the answer', async () => {
    const picked = await h.call('GET', `${E}?type=WaterMeter&pick=id,type,totalConsumption`, { token: await office() });
    expect(picked.status, picked.text).toBe(200);
    expect(new URL(forwarded().url, 'http://x').searchParams.get('pick')).toBe('id,type,totalConsumption,location');
    expect(byId(picked.json())).toEqual({ 'urn:ngsi-ld:WaterMeter:in': ['totalConsumption'], 'urn:ngsi-ld:WaterMeter:new': [], 'urn:ngsi-ld:Streetlight:metered-in': ['totalConsumption'] });
    // Without `type` the view could not tell what an entity may show: fetched, and left out.
    const bare = await h.call('GET', `${E}?type=WaterMeter&pick=totalConsumption`, { token: await office() });
    expect(new URL(forwarded().url, 'http://x').searchParams.get('pick')).toBe('totalConsumption,location,type');
    expect(bare.json()).toEqual([{ totalConsumption: consumption(120) }, {}, { totalConsumption: consumption(9) }]);
    const omitted = await h.call('GET', `${E}?type=WaterMeter&omit=location`, { token: await office() });
    expect(omitted.status, omitted.text).toBe(200);
    expect(new URL(forwarded().url, 'http://x').searchParams.has('omit')).toBe(false);
    expect(byId(omitted.json())).toEqual({ 'urn:ngsi-ld:WaterMeter:in': ['totalConsumption'], 'urn:ngsi-ld:WaterMeter:new': [], 'urn:ngsi-ld:Streetlight:metered-in': ['status', 'totalConsumption'] });
  });

  it('a batch query asks for location in its body, and answers without it', async () => {
    const res = await h.call('POST', '/ngsi-ld/v1/entityOperations/query', {
      token: await office(), body: { type: 'Query', entities: [{ type: 'WaterMeter' }], attrs: ['totalConsumption'] },
    });
    expect(res.status, res.text).toBe(200);
    expect(JSON.parse(forwarded().body).attrs).toEqual(['totalConsumption', 'location']);
    expect(byId(res.json())).toEqual({ 'urn:ngsi-ld:WaterMeter:in': ['totalConsumption'], 'urn:ngsi-ld:Streetlight:metered-in': ['totalConsumption'] });
  });

  it('without an area nothing is added: the public lights are asked for as the caller asks', async () => {
    const res = await h.call('GET', `${E}?type=Streetlight&attrs=status`, { token: await resident() });
    expect(res.status).toBe(200);
    expect(new URL(forwarded().url, 'http://x').searchParams.get('attrs')).toBe('status');
    expect(Object.values(byId(res.json()))).toEqual([['status'], ['status'], ['status'], ['status']]);
  });
});
