/**
 * Usage contracts enforced end to end: the real gateway over HTTPS, contracts from
 * test/fixtures/contracts-city, an allow-listed remote @context served on 127.0.0.1, and
 * the in-memory broker. Each case is a way a caller might try to see or change more than
 * its contracts allow.
 */
import { describe, it, expect, beforeAll, afterAll } from 'vitest';
import Database from 'better-sqlite3';
import { join } from 'node:path';
import { startHarness, token, REPO, type Harness } from '../helpers/harness.js';
import { startContextServer, type ContextServer } from '../helpers/context-server.js';

const E = '/ngsi-ld/v1/entities';
const VOCAB = 'https://uri.etsi.org/ngsi-ld/default-context/';
let h: Harness;
let ctxServer: ContextServer;
let ctxBase = '';

const spot = (n: number, extra: Record<string, unknown> = {}) => ({
  id: `urn:ngsi-ld:ParkingSpot:${n}`,
  type: 'ParkingSpot',
  status: { type: 'Property', value: 'free' },
  name: { type: 'Property', value: `Spot ${n}` },
  location: { type: 'GeoProperty', value: { type: 'Point', coordinates: [4.35, 50.85] } },
  ownerReference: { type: 'Relationship', object: 'urn:ngsi-ld:Person:alice' },
  refDevice: { type: 'Relationship', object: 'urn:ngsi-ld:Device:7' },
  ...extra,
});

function link(url: string): Record<string, string> {
  return { link: `<${url}>; rel="http://www.w3.org/ns/json-ld#context"; type="application/ld+json"` };
}

const METER_ENTITY = { id: 'urn:ngsi-ld:HomeEnergyMeter:1', type: 'HomeEnergyMeter', consumption: { type: 'Property', value: 12.5 }, occupant: { type: 'Property', value: 'Alice' } };

beforeAll(async () => {
  ctxServer = await startContextServer({
    '/alias.jsonld': { '@context': { secretOwner: `${VOCAB}ownerReference`, spot: `${VOCAB}ParkingSpot`, dev: VOCAB } },
    '/evil.jsonld': { '@context': { id: 'https://evil.example/id' } },
  });
  ctxBase = ctxServer.base;
  h = await startHarness({
    contractsDir: join(REPO, 'test', 'fixtures', 'contracts-city'),
    contexts: { allowList: [`${ctxBase}/`] },
  });
  for (let i = 1; i <= 3; i++) h.broker.seed(spot(i));
  h.broker.seed({ id: 'urn:ngsi-ld:SecretSite:1', type: 'SecretSite', name: { type: 'Property', value: 'bunker' } });
  h.broker.seed({ ...spot(9), id: 'urn:ngsi-ld:ParkingSpot:9', type: ['ParkingSpot', 'SecretSite'] });
  h.broker.seed(METER_ENTITY);
  h.broker.seed({ id: 'urn:ngsi-ld:StreetBench:1', type: 'StreetBench', name: { type: 'Property', value: 'Oak bench' }, location: { type: 'GeoProperty', value: { type: 'Point', coordinates: [4.123456, 50.654321] } } });
  h.broker.seed({ id: 'urn:ngsi-ld:OldDataset:1', type: 'OldDataset', v: { type: 'Property', value: 1 } });
  h.broker.seed({ id: 'urn:ngsi-ld:ResidentParkingPermit:1', type: 'ResidentParkingPermit', plate: { type: 'Property', value: 'AB-123' } });
});
afterAll(async () => {
  await h?.close();
  await ctxServer.close();
});

const viewer = () => token(h.issuer, { roles: ['viewer'] });

describe('attribute filtering of responses', () => {
  it('removes forbidden attributes from a single entity and keeps the rest untouched', async () => {
    const res = await h.call('GET', `${E}/urn:ngsi-ld:ParkingSpot:1`, { token: await viewer() });
    expect(res.status).toBe(200);
    const body = res.json();
    expect(Object.keys(body).sort()).toEqual(['id', 'location', 'name', 'status', 'type']);
    expect(body.status).toEqual({ type: 'Property', value: 'free' });
    expect(res.headers['content-type']).toBe('application/json');
  });

  const forms: Array<[string, string, Record<string, string>]> = [
    ['keyValues', '?options=keyValues', {}],
    ['concise', '?options=concise', {}],
    ['GeoJSON (Accept)', '', { accept: 'application/geo+json' }],
  ];
  for (const [name, query, headers] of forms) {
    it(`removes them in the ${name} representation too`, async () => {
      const res = await h.call('GET', `${E}/urn:ngsi-ld:ParkingSpot:1${query}`, { token: await viewer(), headers });
      expect(res.status).toBe(200);
      expect(res.text).not.toContain('ownerReference');
      expect(res.text).not.toContain('urn:ngsi-ld:Person:alice');
      expect(res.text).not.toContain('refDevice');
      expect(res.text).toContain('free');
    });
  }

  it('never leaks a forbidden location through the GeoJSON geometry', async () => {
    for (const [path, headers] of [
      [`${E}/urn:ngsi-ld:StreetBench:1`, { accept: 'application/geo+json' }],
      [`${E}?type=StreetBench&format=geojson`, {}],
    ] as Array<[string, Record<string, string>]>) {
      const res = await h.call('GET', path, { token: await viewer(), headers });
      expect(res.status, res.text).toBe(200);
      expect(res.text).toContain('Oak bench');
      expect(res.text).not.toContain('4.123456');
      const body = res.json();
      const feature = body.type === 'FeatureCollection' ? body.features[0] : body;
      expect(feature.geometry).toBeNull();
    }
  });

  it('drops entities of a type the caller may not read from a query without a type', async () => {
    const res = await h.call('GET', `${E}?idPattern=urn:ngsi-ld:.*`, { token: await viewer() });
    expect(res.status).toBe(200);
    const ids = (res.json() as Array<{ id: string }>).map((e) => e.id).sort();
    expect(ids).toEqual(['urn:ngsi-ld:ParkingSpot:1', 'urn:ngsi-ld:ParkingSpot:2', 'urn:ngsi-ld:ParkingSpot:3', 'urn:ngsi-ld:StreetBench:1']);
    expect(res.text).not.toContain('ownerReference');
  });

  it('refuses a count that would include the hidden multi-typed entity, before asking the broker', async () => {
    const before = h.broker.requests.length;
    const res = await h.call('GET', `${E}?idPattern=urn:ngsi-ld:.*&count=true`, { token: await viewer() });
    expect(res.status).toBe(403);
    expect(res.json()).toMatchObject({ status: 403, code: 'FORBIDDEN' });
    expect(res.headers['ngsild-results-count']).toBeUndefined();
    expect(h.broker.requests.length).toBe(before);
  });

  it('asks the broker only for permitted types when the query names none', async () => {
    await h.call('GET', `${E}?idPattern=urn:ngsi-ld:.*`, { token: await viewer() });
    const forwarded = new URL(h.broker.requests[h.broker.requests.length - 1]!.url, 'http://x');
    expect(forwarded.searchParams.get('type')!.split(',').sort()).toEqual(['ParkingSpot', 'StreetBench']);
  });

  it('hides a multi-typed entity when one of its types is prohibited', async () => {
    const res = await h.call('GET', `${E}?type=ParkingSpot`, { token: await viewer() });
    expect(res.status).toBe(200);
    expect(res.text).not.toContain('ParkingSpot:9');
    const one = await h.call('GET', `${E}/urn:ngsi-ld:ParkingSpot:9`, { token: await viewer() });
    expect(one.status).toBe(404);
  });

  it('removes forbidden attributes from temporal history', async () => {
    const res = await h.call('GET', `/ngsi-ld/v1/temporal/entities/urn:ngsi-ld:ParkingSpot:1`, { token: await viewer() });
    expect(res.status).toBe(200);
    expect(res.json().status).toHaveLength(2);
    expect(res.text).not.toContain('ownerReference');
  });

  it('filters batch query results', async () => {
    const res = await h.call('POST', '/ngsi-ld/v1/entityOperations/query', { token: await viewer(), body: { type: 'Query', entities: [{ type: 'ParkingSpot' }] } });
    expect(res.status).toBe(200);
    expect(res.json().length).toBeGreaterThan(0);
    expect(res.text).not.toContain('ownerReference');
  });

  it('shows only permitted types and attributes in discovery', async () => {
    const types = await h.call('GET', '/ngsi-ld/v1/types', { token: await viewer() });
    expect(types.status).toBe(200);
    expect(types.json().typeList.sort()).toEqual(['ParkingSpot', 'StreetBench']);
    const attrs = await h.call('GET', '/ngsi-ld/v1/attributes', { token: await viewer() });
    expect(attrs.json().attributeList).not.toContain('ownerReference');
    expect(attrs.json().attributeList).not.toContain('occupant');
    expect(attrs.json().attributeList).toContain('status');
  });
});

describe('ways round the check are denied', () => {
  const denied: Array<[string, string, Record<string, string>?]> = [
    ['asking for the attribute by name', `${E}?type=ParkingSpot&attrs=ownerReference`],
    ['asking for it by full IRI', `${E}?type=ParkingSpot&attrs=${encodeURIComponent(VOCAB + 'ownerReference')}`],
    ['probing it through q', `${E}?type=ParkingSpot&q=ownerReference==%22urn:ngsi-ld:Person:alice%22`],
    ['probing it through q by full IRI', `${E}?type=ParkingSpot&q=${encodeURIComponent(`"${VOCAB}ownerReference"==1`)}`],
    ['a geo-query on it', `${E}?type=ParkingSpot&georel=near;maxDistance==10&geometry=Point&coordinates=%5B4.35,50.85%5D&geoproperty=ownerReference`],
    ['picking it', `${E}?type=ParkingSpot&pick=id,ownerReference`],
    ['a linked-entity join', `${E}?type=ParkingSpot&join=inline`],
    ['an alias defined by the caller\'s own @context', `${E}?type=ParkingSpot&attrs=secretOwner`, 'alias'],
    ['q through the alias', `${E}?type=spot&q=secretOwner==1`, 'alias'],
    ['a compact IRI through the caller\'s prefix', `${E}?type=ParkingSpot&attrs=dev:ownerReference`, 'alias'],
    ['a type the caller may not read', `${E}?type=HomeEnergyMeter`],
    ['a prohibited type', `${E}?type=SecretSite`],
    ['an expired permission', `${E}?type=OldDataset`],
    ['a permission that needs citizen consent', `${E}?type=ResidentParkingPermit`],
  ] as never;
  for (const [name, path, ctx] of denied as Array<[string, string, string | undefined]>) {
    it(`denies ${name} with 403 before anything reaches the broker`, async () => {
      const before = h.broker.requests.length;
      const headers = ctx === 'alias' ? link(`${ctxBase}/alias.jsonld`) : {};
      const res = await h.call('GET', path, { token: await viewer(), headers });
      expect(res.status, res.text).toBe(403);
      expect(res.json().decisionId).toMatch(/^[0-9a-f-]{36}$/);
      expect(res.text).not.toContain('urn:ngsi-ld:Person:alice');
      expect(h.broker.requests.length).toBe(before);
    });
  }

  it('answers 404, with nothing of the entity, when a retrieve by id finds an entity the caller may not read', async () => {
    for (const id of ['urn:ngsi-ld:OldDataset:1', 'urn:ngsi-ld:ResidentParkingPermit:1', 'urn:ngsi-ld:SecretSite:1', 'urn:ngsi-ld:HomeEnergyMeter:1']) {
      const res = await h.call('GET', `${E}/${id}`, { token: await viewer() });
      expect(res.status, id).toBe(404);
      expect(res.text).not.toContain('AB-123');
      expect(res.text).not.toContain('bunker');
      expect(res.text).not.toContain('Alice');
    }
  });

  it('treats a permitted attribute the same by short name, alias and full IRI', async () => {
    const t = await viewer();
    for (const [path, headers] of [
      [`${E}?type=ParkingSpot&attrs=status`, {}],
      [`${E}?type=${encodeURIComponent(VOCAB + 'ParkingSpot')}&attrs=${encodeURIComponent(VOCAB + 'status')}`, {}],
      [`${E}?type=spot&attrs=dev:status`, link(`${ctxBase}/alias.jsonld`)],
    ] as Array<[string, Record<string, string>]>) {
      expect((await h.call('GET', path, { token: t, headers })).status, path).toBe(200);
    }
  });

  it('refuses a caller @context that redefines a core term, and one that is not allow-listed', async () => {
    const evil = await h.call('GET', `${E}?type=ParkingSpot`, { token: await viewer(), headers: link(`${ctxBase}/evil.jsonld`) });
    expect(evil.status).toBe(400);
    const other = await h.call('GET', `${E}?type=ParkingSpot`, { token: await viewer(), headers: link('https://contexts.example.org/ctx.jsonld') });
    expect(other.status).toBe(400);
    expect(other.text).not.toContain('contexts.example.org');
  });

  it('refuses two @context links, and denies a batch query body that probes a forbidden attribute', async () => {
    const alias = `<${ctxBase}/alias.jsonld>; rel="http://www.w3.org/ns/json-ld#context"; type="application/ld+json"`;
    const two = await h.call('GET', `${E}?type=ParkingSpot`, { token: await viewer(), headers: { link: [alias, alias] } });
    expect(two.status).toBe(400);
    const before = h.broker.requests.length;
    for (const body of [
      { type: 'Query', entities: [{ type: 'ParkingSpot' }], q: 'ownerReference==1' },
      { type: 'Query', entities: [{ type: 'ParkingSpot' }], attrs: ['refDevice'] },
      { type: 'Query', entities: [{ type: 'ParkingSpot' }], geoQ: { geometry: 'Point', coordinates: [4.35, 50.85], georel: 'near;maxDistance==5', geoproperty: 'ownerReference' } },
      { type: 'Query', entities: [{ type: 'HomeEnergyMeter' }] },
    ]) {
      const res = await h.call('POST', '/ngsi-ld/v1/entityOperations/query', { token: await viewer(), body });
      expect(res.status, JSON.stringify(body)).toBe(403);
    }
    expect(h.broker.requests.length).toBe(before);
  });

  it('denies a context that cannot be loaded with a clear error', async () => {
    const res = await h.call('GET', `${E}?type=ParkingSpot`, { token: await viewer(), headers: link(`${ctxBase}/missing.jsonld`) });
    expect(res.status).toBe(503);
    expect(res.json().type).toBe('https://uri.etsi.org/ngsi-ld/errors/LdContextNotAvailable');
  });
});

describe('writes', () => {
  const provider = () => token(h.issuer, { roles: ['provider'] });

  it('permits writing permitted attributes and denies a write touching a forbidden one', async () => {
    const ok = await h.call('POST', E, { token: await provider(), body: { id: 'urn:ngsi-ld:ParkingSpot:50', type: 'ParkingSpot', status: { type: 'Property', value: 'free' } } });
    expect(ok.status).toBe(201);
    const bad = await h.call('POST', E, { token: await provider(), body: { id: 'urn:ngsi-ld:ParkingSpot:51', type: 'ParkingSpot', ownerReference: { type: 'Relationship', object: 'urn:x' } } });
    expect(bad.status).toBe(403);
    const patch = await h.call('PATCH', `${E}/urn:ngsi-ld:ParkingSpot:50/attrs`, { token: await provider(), body: { refDevice: { type: 'Relationship', object: 'urn:x' } } });
    expect(patch.status).toBe(403);
  });

  it('decides on the type in the body, not on what the id suggests', async () => {
    const res = await h.call('POST', E, { token: await provider(), body: { id: 'urn:ngsi-ld:ParkingSpot:52', type: 'HomeEnergyMeter', status: { type: 'Property', value: 'x' } } });
    expect(res.status).toBe(403);
  });

  it('denies a batch write when one entity in it is not permitted', async () => {
    const before = h.broker.requests.length;
    const res = await h.call('POST', '/ngsi-ld/v1/entityOperations/create', {
      token: await provider(),
      body: [
        { id: 'urn:ngsi-ld:ParkingSpot:60', type: 'ParkingSpot', status: { type: 'Property', value: 'free' } },
        { id: 'urn:ngsi-ld:SecretSite:60', type: 'SecretSite', name: { type: 'Property', value: 'x' } },
      ],
    });
    expect(res.status).toBe(403);
    expect(h.broker.requests.length).toBe(before);
  });
});

describe('subscriptions', () => {
  it('permits a subscription that names its types and permitted notification attributes', async () => {
    const res = await h.call('POST', '/ngsi-ld/v1/subscriptions', { token: await viewer(), body: {
      type: 'Subscription', entities: [{ type: 'ParkingSpot' }], watchedAttributes: ['status'],
      notification: { attributes: ['status', 'name'], endpoint: { uri: 'https://203.0.113.10/notify' } },
    } });
    expect(res.status).toBe(201);
  });

  const bad: Array<[string, Record<string, unknown>]> = [
    ['watching a forbidden attribute', { entities: [{ type: 'ParkingSpot' }], watchedAttributes: ['ownerReference'], notification: { attributes: ['status'], endpoint: { uri: 'https://a.example/n' } } }],
    ['notifying a forbidden attribute', { entities: [{ type: 'ParkingSpot' }], notification: { attributes: ['ownerReference'], endpoint: { uri: 'https://a.example/n' } } }],
    ['without notification attributes (the broker would send everything)', { entities: [{ type: 'ParkingSpot' }], notification: { endpoint: { uri: 'https://a.example/n' } } }],
    ['without an entity type', { watchedAttributes: ['status'], notification: { attributes: ['status'], endpoint: { uri: 'https://a.example/n' } } }],
    ['on a type the caller may not read', { entities: [{ type: 'HomeEnergyMeter' }], notification: { attributes: ['consumption'], endpoint: { uri: 'https://a.example/n' } } }],
    ['filtering on a forbidden attribute', { entities: [{ type: 'ParkingSpot' }], q: 'ownerReference==1', notification: { attributes: ['status'], endpoint: { uri: 'https://a.example/n' } } }],
  ];
  for (const [name, body] of bad) {
    it(`denies a subscription ${name}`, async () => {
      const res = await h.call('POST', '/ngsi-ld/v1/subscriptions', { token: await viewer(), body: { type: 'Subscription', ...body } });
      expect(res.status, res.text).toBe(403);
    });
  }
});

describe('constraints', () => {
  const METER = `${E}?type=HomeEnergyMeter&id=urn:ngsi-ld:HomeEnergyMeter:1`;
  const meterToken = (purpose?: string, harness: Harness = h) => token(harness.issuer, { roles: ['viewer'], extra: { client_id: 'energy-app', ...(purpose ? { purpose } : {}) } });

  it('admits a narrower purpose, refuses a broader one and a missing one', async () => {
    expect((await h.call('GET', METER, { token: await meterToken('dpv:Purpose') })).status).toBe(403);
    expect((await h.call('GET', METER, { token: await meterToken() })).status).toBe(403);
    const ok = await h.call('GET', METER, { token: await meterToken('dpv:ServiceOptimisation') });
    expect(ok.status).toBe(200);
    expect(ok.json()).toEqual([{ id: 'urn:ngsi-ld:HomeEnergyMeter:1', type: 'HomeEnergyMeter', consumption: { type: 'Property', value: 12.5 } }]);
  });

  it('stops at the count per period, and names the contract and rule in the audit log', async () => {
    // A gateway of its own, so the count starts at zero whatever other tests have spent.
    const g = await startHarness({ contractsDir: join(REPO, 'test', 'fixtures', 'contracts-city') });
    let rows: Array<{ effect: string; rules: string | null; reason: string }>;
    try {
      g.broker.seed(METER_ENTITY);
      const t = await meterToken('dpv:ServiceProvision', g);
      for (let i = 0; i < 3; i++) expect((await g.call('GET', METER, { token: t })).status).toBe(200);
      expect((await g.call('GET', METER, { token: t })).status).toBe(403);
      // A call returns once the gateway's audit log has settled (the outcome follows the answer).
      const db = new Database(join(g.dir, 'mimtrust.db'), { readonly: true });
      rows = db.prepare("SELECT effect, rules, reason FROM audit_records WHERE targets LIKE '%HomeEnergyMeter%' AND sub = 'alice' ORDER BY seq").all() as typeof rows;
      db.close();
    } finally {
      await g.close();
    }
    // Each permitted read: its decision, then its outcome, both naming the rule.
    const permits = rows.filter((r) => r.effect === 'permit');
    expect(permits.map((r) => r.reason)).toEqual(['before_effect', 'permitted', 'before_effect', 'permitted', 'before_effect', 'permitted']);
    for (const p of permits) expect(JSON.parse(p.rules!)).toEqual(['urn:test:meter#urn:test:meter:consumption']);
    expect(rows[rows.length - 1]!.reason).toBe('constraint_not_satisfied');
  });
});
