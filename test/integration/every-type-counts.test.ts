/**
 * Entities with several types, result counts and "not found", end to end: the real
 * gateway over HTTPS, contracts from test/fixtures/contracts-types and the in-memory
 * broker holding multi-typed entities. Every case is an attempt to learn, through one type
 * or through a count or a 404, what another type or a contract hides.
 */
import { describe, it, expect, beforeAll, afterAll } from 'vitest';
import { join } from 'node:path';
import { startHarness, token, REPO, type Harness } from '../helpers/harness.js';

const E = '/ngsi-ld/v1/entities';
const T = '/ngsi-ld/v1/temporal/entities';
const OCCUPANT = 'Alice Occupant';
let h: Harness;

const point = (lon: number, lat: number) => ({ type: 'GeoProperty', value: { type: 'Point', coordinates: [lon, lat] } });

beforeAll(async () => {
  h = await startHarness({ contractsDir: join(REPO, 'test', 'fixtures', 'contracts-types') });
  h.broker.seed({ id: 'urn:ngsi-ld:ParkingSpot:1', type: 'ParkingSpot', status: { type: 'Property', value: 'free' }, location: point(4.35, 50.85) });
  h.broker.seed({ id: 'urn:ngsi-ld:ParkingSpot:2', type: 'ParkingSpot', status: { type: 'Property', value: 'occupied' }, location: point(4.36, 50.86) });
  h.broker.seed({
    id: 'urn:ngsi-ld:ParkingSpot:meter', type: ['ParkingSpot', 'HomeEnergyMeter'],
    status: { type: 'Property', value: 'charging' }, consumption: { type: 'Property', value: 7.5 },
    occupant: { type: 'Property', value: OCCUPANT }, location: point(4.37, 50.87),
  });
  h.broker.seed({ id: 'urn:ngsi-ld:HomeEnergyMeter:1', type: 'HomeEnergyMeter', consumption: { type: 'Property', value: 3.1 }, occupant: { type: 'Property', value: OCCUPANT } });
  h.broker.seed({ id: 'urn:ngsi-ld:ParkingSpot:garden', type: ['ParkingSpot', 'PrivateGarden'], status: { type: 'Property', value: 'Secret garden' } });
  h.broker.seed({ id: 'urn:ngsi-ld:StreetLight:in', type: 'StreetLight', lit: { type: 'Property', value: true }, location: point(4.35, 50.85) });
  h.broker.seed({ id: 'urn:ngsi-ld:StreetLight:out', type: 'StreetLight', lit: { type: 'Property', value: 'far away' }, location: point(5.5, 51.5) });
});
afterAll(async () => {
  await h?.close();
});

const viewer = () => token(h.issuer, { roles: ['viewer'] });
const guest = () => token(h.issuer, { roles: ['viewer', 'guest'] });
const district = () => token(h.issuer, { roles: ['viewer', 'district'] });

/** Calls the gateway and reports whether the broker was asked anything. */
async function probe(method: string, path: string, t: string, body?: unknown) {
  const before = h.broker.requests.length;
  const res = await h.call(method, path, { token: t, ...(body === undefined ? {} : { body }) });
  return { res, forwarded: h.broker.requests.length > before };
}

describe('a prohibition on one type wins over a permission on another', () => {
  const reads: Array<[string, string, Record<string, string>]> = [
    ['normalized retrieve', `${E}/urn:ngsi-ld:ParkingSpot:meter`, {}],
    ['keyValues retrieve', `${E}/urn:ngsi-ld:ParkingSpot:meter?options=keyValues`, {}],
    ['concise retrieve', `${E}/urn:ngsi-ld:ParkingSpot:meter?options=concise`, {}],
    ['GeoJSON retrieve', `${E}/urn:ngsi-ld:ParkingSpot:meter`, { accept: 'application/geo+json' }],
    ['query by type', `${E}?type=ParkingSpot`, {}],
    ['query by type, keyValues', `${E}?type=ParkingSpot&options=keyValues`, {}],
    ['query by type, GeoJSON', `${E}?type=ParkingSpot&format=geojson`, {}],
    ['either type (|)', `${E}?type=ParkingSpot|HomeEnergyMeter`, {}],
    ['either type (,)', `${E}?type=ParkingSpot,HomeEnergyMeter`, {}],
    ['both types (;)', `${E}?type=(ParkingSpot;HomeEnergyMeter)`, {}],
    ['idPattern without type', `${E}?idPattern=urn:ngsi-ld:ParkingSpot:.*`, {}],
    ['temporal retrieve', `${T}/urn:ngsi-ld:ParkingSpot:meter`, {}],
    ['temporal query', `${T}?type=ParkingSpot`, {}],
  ];
  it.each(reads)('%s shows the entity without the prohibited attribute', async (_n, path, headers) => {
    const res = await h.call('GET', path, { token: await viewer(), headers });
    expect(res.status, res.text).toBe(200);
    expect(res.text).toContain('urn:ngsi-ld:ParkingSpot:meter');
    expect(res.text).toContain('charging');
    expect(res.text).not.toContain('occupant');
    expect(res.text).not.toContain(OCCUPANT);
  });

  it('the both-types expression reaches the broker as written and selects only the entity with both', async () => {
    const res = await h.call('GET', `${E}?type=(ParkingSpot;HomeEnergyMeter)`, { token: await viewer() });
    expect((res.json() as Array<{ id: string }>).map((e) => e.id)).toEqual(['urn:ngsi-ld:ParkingSpot:meter']);
    expect(new URL(h.broker.requests.at(-1)!.url, 'http://x').searchParams.get('type')).toBe('(ParkingSpot;HomeEnergyMeter)');
  });

  it('a batch query for either type shows it without the attribute', async () => {
    const res = await h.call('POST', '/ngsi-ld/v1/entityOperations/query', { token: await viewer(), body: { type: 'Query', entities: [{ type: 'ParkingSpot' }] } });
    expect(res.status, res.text).toBe(200);
    expect(res.text).toContain('charging');
    expect(res.text).not.toContain(OCCUPANT);
  });

  it('the entity of the readable type alone is shown whole', async () => {
    const res = await h.call('GET', `${E}/urn:ngsi-ld:ParkingSpot:1`, { token: await viewer() });
    expect(Object.keys(res.json()).sort()).toEqual(['id', 'location', 'status', 'type']);
  });

  const probes: Array<[string, string]> = [
    ['q through the readable type', `${E}?type=ParkingSpot&q=occupant==%22${encodeURIComponent(OCCUPANT)}%22`],
    ['q without a type', `${E}?idPattern=.*&q=occupant==%22x%22`],
    ['q on both types', `${E}?type=(ParkingSpot;HomeEnergyMeter)&q=occupant==%22x%22`],
    ['temporal q', `${T}?type=ParkingSpot&q=occupant==%22x%22`],
  ];
  it.each(probes)('refuses probing the attribute by %s, before the broker', async (_n, path) => {
    const { res, forwarded } = await probe('GET', path, await viewer());
    expect(res.status, res.text).toBe(403);
    expect(forwarded).toBe(false);
  });
});

describe('subscriptions, whose notifications the gateway does not cut', () => {
  const subscription = (attributes?: string[]) => ({
    type: 'Subscription', entities: [{ type: 'ParkingSpot' }],
    notification: { ...(attributes ? { attributes } : {}), endpoint: { uri: 'https://subscriber.example/notify' } },
  });
  it('may not list an attribute some type prohibits, nor leave the attributes open', async () => {
    for (const [body, reason] of [[subscription(['status', 'occupant']), 'attribute'], [subscription(), 'notification.attributes']] as const) {
      const { res, forwarded } = await probe('POST', '/ngsi-ld/v1/subscriptions', await viewer(), body);
      expect(res.status, res.text).toBe(403);
      expect(res.json().detail).toContain(reason);
      expect(forwarded).toBe(false);
    }
  });

  it('may not watch it either', async () => {
    const { res, forwarded } = await probe('POST', '/ngsi-ld/v1/subscriptions', await viewer(), { ...subscription(['status']), watchedAttributes: ['occupant'] });
    expect(res.status, res.text).toBe(403);
    expect(res.json().detail).toContain('filter');
    expect(forwarded).toBe(false);
  });
});

describe('discovery names no attribute a type of the same entity prohibits', () => {
  it('/types?details=true', async () => {
    const res = await h.call('GET', '/ngsi-ld/v1/types?details=true', { token: await viewer() });
    expect(res.status, res.text).toBe(200);
    const spot = (res.json() as Array<{ typeName: string; attributeNames: string[] }>).find((t) => t.typeName === 'ParkingSpot')!;
    expect(spot.attributeNames).toContain('status');
    expect(spot.attributeNames).not.toContain('occupant');
    expect(res.text).not.toContain('occupant');
  });

  it('/types/{type}, with its entity count where nothing of the type is hidden', async () => {
    const res = await h.call('GET', '/ngsi-ld/v1/types/ParkingSpot', { token: await viewer() });
    expect(res.status, res.text).toBe(200);
    expect(res.text).not.toContain('occupant');
    expect(res.json().entityCount).toBe(4);
    // For a guest, a ParkingSpot may also be a PrivateGarden: the count would include it.
    const asGuest = await h.call('GET', '/ngsi-ld/v1/types/ParkingSpot', { token: await guest() });
    expect(asGuest.status).toBe(200);
    expect(asGuest.json().entityCount).toBeUndefined();
  });

  it('/attributes and /attributes?details=true, with counts only where every listed type is shown', async () => {
    const list = await h.call('GET', '/ngsi-ld/v1/attributes', { token: await viewer() });
    expect(list.status, list.text).toBe(200);
    expect(list.json().attributeList).toContain('consumption');
    expect(list.json().attributeList).not.toContain('occupant');
    const details = await h.call('GET', '/ngsi-ld/v1/attributes?details=true', { token: await viewer() });
    const items = details.json() as Array<{ attributeName: string; attributeCount?: number; typeNames: string[] }>;
    expect(items.map((i) => i.attributeName)).not.toContain('occupant');
    const consumption = items.find((i) => i.attributeName === 'consumption')!;
    expect([consumption.attributeCount, consumption.typeNames.sort()]).toEqual([2, ['HomeEnergyMeter', 'ParkingSpot']]);
    // status is also on an entity shown through a type that does not permit it: no count.
    const status = items.find((i) => i.attributeName === 'status')!;
    expect(status.attributeCount).toBeUndefined();
  });

  it('/attributes/{name} answers for a prohibited attribute as for one that does not exist', async () => {
    const hidden = await h.call('GET', '/ngsi-ld/v1/attributes/occupant', { token: await viewer() });
    const missing = await h.call('GET', '/ngsi-ld/v1/attributes/nothingLikeIt', { token: await viewer() });
    expectSameNotFound(hidden, missing);
  });
});

describe('counts never include what the caller cannot see', () => {
  it('a spatial obligation refuses count=true (and limit=0) before the broker, and drops what lies outside', async () => {
    for (const path of [`${E}?type=StreetLight&count=true`, `${E}?type=StreetLight&count=true&limit=0`, `${T}?type=StreetLight&count=true`]) {
      const { res, forwarded } = await probe('GET', path, await district());
      expect(res.status, path).toBe(403);
      expect(res.json().detail).toMatch(/exact count/);
      expect(res.headers['ngsild-results-count']).toBeUndefined();
      expect(forwarded).toBe(false);
    }
    const res = await h.call('GET', `${E}?type=StreetLight`, { token: await district() });
    expect((res.json() as Array<{ id: string }>).map((e) => e.id)).toEqual(['urn:ngsi-ld:StreetLight:in']);
    expect(res.text).not.toContain('far away');
  });

  it('a possible entity of a prohibited type next to a readable one refuses count=true', async () => {
    for (const path of [`${E}?type=ParkingSpot&count=true`, `${E}?idPattern=.*&count=true&limit=0`, `${T}?type=ParkingSpot&count=true`]) {
      const { res, forwarded } = await probe('GET', path, await guest());
      expect(res.status, path).toBe(403);
      expect(forwarded).toBe(false);
    }
    const { res } = await probe('POST', '/ngsi-ld/v1/entityOperations/query?count=true', await guest(), { type: 'Query', entities: [{ type: 'ParkingSpot' }] });
    expect(res.status).toBe(403);
    const shown = await h.call('GET', `${E}?type=ParkingSpot`, { token: await guest() });
    expect(shown.text).not.toContain('Secret garden');
  });

  it('limit=0 without a type counts only the types the caller may read, narrowed at the broker', async () => {
    const counted = await h.call('GET', `${E}?idPattern=.*&count=true&limit=0`, { token: await viewer() });
    expect(counted.status, counted.text).toBe(200);
    expect(counted.json()).toEqual([]);
    const all = await h.call('GET', `${E}?idPattern=.*&limit=100`, { token: await viewer() });
    const ids = (all.json() as Array<{ id: string }>).map((e) => e.id);
    expect(ids).not.toContain('urn:ngsi-ld:StreetLight:in');
    expect(counted.headers['ngsild-results-count']).toBe(String(ids.length));
    expect(ids.length).toBe(5);
  });

  it('a query naming the readable type keeps the broker count, which then matches what is shown', async () => {
    const res = await h.call('GET', `${E}?type=ParkingSpot&count=true&limit=2`, { token: await viewer() });
    expect(res.status, res.text).toBe(200);
    expect(res.json()).toHaveLength(2);
    expect(res.headers['ngsild-results-count']).toBe('4');
  });
});

type Answer = Awaited<ReturnType<Harness['call']>>;

/** Same status, same content type and header names, same body but for its ids. */
function expectSameNotFound(a: Answer, b: Answer): void {
  expect([a.status, b.status], `${a.text}\n${b.text}`).toEqual([404, 404]);
  expect(a.headers['content-type']).toMatch(/^application\/json/);
  expect(b.headers['content-type']).toBe(a.headers['content-type']);
  const names = (r: Answer) => Object.keys(r.headers).filter((n) => n !== 'date' && n !== 'content-length').sort();
  expect(names(a)).toEqual(names(b));
  const shape = (r: Answer) => {
    const { requestId, decisionId, ...rest } = r.json() as Record<string, unknown>;
    expect(typeof requestId).toBe('string');
    expect(typeof decisionId).toBe('string');
    return rest;
  };
  const body = shape(a);
  expect(body).toEqual(shape(b));
  expect(body).toMatchObject({ type: 'https://uri.etsi.org/ngsi-ld/errors/ResourceNotFound', status: 404 });
}

describe('"forbidden" and "does not exist" answer alike', () => {
  const pairs: Array<[string, string, string, () => Promise<string>]> = [
    ['an entity of a type the caller may not read', `${E}/urn:ngsi-ld:StreetLight:in`, `${E}/urn:ngsi-ld:StreetLight:none`, viewer],
    ['an entity carrying a prohibited type', `${E}/urn:ngsi-ld:ParkingSpot:garden`, `${E}/urn:ngsi-ld:ParkingSpot:none`, guest],
    ['an entity outside the permitted area', `${E}/urn:ngsi-ld:StreetLight:out`, `${E}/urn:ngsi-ld:StreetLight:none`, district],
    ['a temporal entity', `${T}/urn:ngsi-ld:ParkingSpot:garden`, `${T}/urn:ngsi-ld:ParkingSpot:none`, guest],
  ];
  it.each(pairs)('%s', async (_n, forbidden, missing, who) => {
    const t = await who();
    const hidden = await h.call('GET', forbidden, { token: t });
    const absent = await h.call('GET', missing, { token: t });
    expect(hidden.text).not.toContain('Secret garden');
    expect(hidden.text).not.toContain('far away');
    expectSameNotFound(hidden, absent);
  });

  it('a type named by the caller is decided on its name alone, whether it exists or not', async () => {
    const t = await viewer();
    const hidden = await h.call('GET', '/ngsi-ld/v1/types/StreetLight', { token: t });
    const absent = await h.call('GET', '/ngsi-ld/v1/types/NoSuchType', { token: t });
    expect([hidden.status, absent.status]).toEqual([403, 403]);
    expect(hidden.json().detail).toBe(absent.json().detail);
  });
});
