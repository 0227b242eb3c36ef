/**
 * Writes are decided on the types the broker holds, not on the type a caller writes in the
 * body: the real gateway over HTTPS, contracts from test/fixtures/contracts-writes, and the
 * in-memory broker, which records what it receives. Each case is a way a caller allowed to
 * write ParkingSpots might try to write an EnergyMeter (personal data) or learn that one
 * exists.
 */
import { describe, it, expect, beforeAll, afterAll, beforeEach } from 'vitest';
import { rmSync } from 'node:fs';
import { join } from 'node:path';
import { startHarness, token, REPO, type Harness } from '../helpers/harness.js';
import type { RecordedRequest } from '../helpers/mini-broker.mjs';

const E = '/ngsi-ld/v1/entities';
const T = '/ngsi-ld/v1/temporal/entities';
const OPS = '/ngsi-ld/v1/entityOperations';
const METER = 'urn:ngsi-ld:EnergyMeter:1';
const SPOT = 'urn:ngsi-ld:ParkingSpot:1';

const prop = (value: unknown) => ({ type: 'Property', value });
const meter = (id = METER) => ({ id, type: 'EnergyMeter', consumption: prop(12.5), status: prop('on') });
const spot = (id = SPOT) => ({ id, type: 'ParkingSpot', status: prop('free'), name: prop('P1'), ownerReference: { type: 'Relationship', object: 'urn:ngsi-ld:Person:alice' } });

let h: Harness;
const provider = () => token(h.issuer, { roles: ['provider'] });
const operator = () => token(h.issuer, { roles: ['operator'] });
const editor = () => token(h.issuer, { roles: ['mobility-editor'] });
const MOBILITY = { 'ngsild-tenant': 'mobility' };

/** What the broker received from index `from` on, lookups (GET) left out. */
function writesSince(from: number): RecordedRequest[] {
  return h.broker.requests.slice(from).filter((r) => r.method !== 'GET');
}

function lookupsSince(from: number, id: string): RecordedRequest[] {
  return h.broker.requests.slice(from).filter((r) => r.method === 'GET' && r.url.includes(encodeURIComponent(id)));
}

/** A ProblemDetails body without the ids that differ per request. */
function shape(text: string): Record<string, unknown> {
  const { requestId: _r, decisionId: _d, ...rest } = JSON.parse(text) as Record<string, unknown>;
  return rest;
}

beforeAll(async () => {
  // Kept for a minute: without forgetting on its own writes the gateway would decide on stale types.
  h = await startHarness({ contractsDir: join(REPO, 'test', 'fixtures', 'contracts-writes'), storedTypes: { ttlMs: 60_000, maxIds: 5 }, pdp: { enabled: true } });
});
afterAll(async () => {
  await h?.close();
  if (h) rmSync(h.dir, { recursive: true, force: true });
});
beforeEach(() => {
  h.broker.setFault(undefined);
  for (const e of [meter(), spot(), spot('urn:ngsi-ld:ParkingSpot:2')]) h.broker.seed(e);
  h.broker.seed({ id: 'urn:ngsi-ld:Thing:1', type: ['ParkingSpot', 'EnergyMeter'], status: prop('free'), consumption: prop(3) });
  h.broker.seed({ id: 'urn:ngsi-ld:StreetLight:1', type: 'StreetLight', status: prop('on'), power: prop(40) });
  h.broker.seed({ id: 'urn:ngsi-ld:StreetLight:2', type: 'StreetLight', status: prop('on'), name: prop('SL2') });
  h.broker.seed(meter('urn:ngsi-ld:Spot:T'), 'mobility');
  h.broker.seed(spot('urn:ngsi-ld:Spot:T'));
});

describe('a write claiming another type is decided on the stored one', () => {
  const claimsParkingSpot: Array<[string, string, string, unknown]> = [
    ['PATCH attrs (update)', 'PATCH', `${E}/${METER}/attrs`, { type: 'ParkingSpot', status: prop('free') }],
    ['POST attrs (append)', 'POST', `${E}/${METER}/attrs`, { type: 'ParkingSpot', status: prop('free') }],
    ['PUT (replace)', 'PUT', `${E}/${METER}`, { id: METER, type: 'ParkingSpot', status: prop('free') }],
    ['PATCH (merge)', 'PATCH', `${E}/${METER}`, { type: 'ParkingSpot', status: prop('free') }],
    ['PATCH attrs without any type', 'PATCH', `${E}/${METER}/attrs`, { status: prop('free') }],
    ['PATCH one attribute', 'PATCH', `${E}/${METER}/attrs/status`, { value: 'free' }],
    ['PUT one attribute', 'PUT', `${E}/${METER}/attrs/status`, prop('free')],
    ['a temporal append', 'POST', `${T}/${METER}/attrs`, { type: 'ParkingSpot', status: [{ ...prop('free'), observedAt: '2026-01-01T00:00:00Z' }] }],
    ['a temporal create over the stored entity', 'POST', T, { id: METER, type: 'ParkingSpot', status: [{ ...prop('free'), observedAt: '2026-01-01T00:00:00Z' }] }],
    ['a batch update', 'POST', `${OPS}/update`, [{ id: METER, type: 'ParkingSpot', status: prop('free') }]],
    ['a batch merge', 'POST', `${OPS}/merge`, [{ id: METER, type: 'ParkingSpot', status: prop('free') }]],
    ['a batch upsert', 'POST', `${OPS}/upsert`, [{ id: METER, type: 'ParkingSpot', status: prop('free') }]],
  ];
  for (const [name, method, path, body] of claimsParkingSpot) {
    it(`refuses ${name} to an EnergyMeter as not found, and the broker never gets it`, async () => {
      const before = h.broker.requests.length;
      const res = await h.call(method, path, { token: await provider(), body });
      expect(res.status, res.text).toBe(404);
      expect(res.json().decisionId).toMatch(/^[0-9a-f-]{36}$/);
      expect(res.text).not.toContain('EnergyMeter');
      expect(writesSince(before)).toEqual([]);
      expect(h.broker.entity(METER)).toEqual(meter());
    });
  }

  it('refuses deletes of an EnergyMeter by a caller who may delete ParkingSpots, in its tenant', async () => {
    // An id of its own: nothing is known of it yet, so every lookup shows.
    const id = 'urn:ngsi-ld:EnergyMeter:del';
    h.broker.seed(meter(id), 'mobility');
    const start = h.broker.requests.length;
    for (const [method, path, body] of [
      ['DELETE', `${E}/${id}`, undefined],
      ['DELETE', `${E}/${id}/attrs/consumption`, undefined],
      ['DELETE', `${T}/${id}`, undefined],
      ['POST', `${OPS}/delete`, [id]],
    ] as Array<[string, string, unknown]>) {
      const before = h.broker.requests.length;
      const res = await h.call(method, path, { token: await editor(), headers: MOBILITY, body });
      expect(res.status, `${method} ${path}: ${res.text}`).toBe(404);
      expect(writesSince(before)).toEqual([]);
    }
    // The broker was asked in the caller's tenant (current and temporal entity).
    const lookups = h.broker.requests.slice(start);
    expect(lookups.map((l) => l.url.split('?')[0])).toEqual([`/ngsi-ld/v1/entities/${encodeURIComponent(id)}`, `/ngsi-ld/v1/temporal/entities/${encodeURIComponent(id)}`]);
    for (const l of lookups) expect(l.headers['ngsild-tenant']).toBe('mobility');
    expect(h.broker.entity(id, 'mobility')).toEqual(meter(id));
  });

  it('decides per tenant: the same id is a ParkingSpot in one tenant and an EnergyMeter in another', async () => {
    const id = 'urn:ngsi-ld:Spot:T';
    const ok = await h.call('PATCH', `${E}/${id}/attrs`, { token: await editor(), headers: MOBILITY, body: { status: prop('x') } });
    expect(ok.status).toBe(404);
    const inDefault = await h.call('PATCH', `${E}/${id}/attrs`, { token: await provider(), body: { status: prop('taken') } });
    expect(inDefault.status, inDefault.text).toBe(204);
    const again = await h.call('PATCH', `${E}/${id}/attrs`, { token: await editor(), headers: MOBILITY, body: { status: prop('x') } });
    expect(again.status).toBe(404);
    expect(h.broker.entity(id, 'mobility')).toEqual(meter(id));
  });

  it('refuses a caller whose roles allow no such write (403) without asking the broker', async () => {
    const before = h.broker.requests.length;
    const res = await h.call('PATCH', `${E}/${METER}/attrs`, { token: await token(h.issuer, { roles: ['viewer'] }), body: { status: prop('x') } });
    expect(res.status).toBe(403);
    expect(h.broker.requests.length).toBe(before);
  });

  it('counts every stored type: an entity that is a ParkingSpot and an EnergyMeter is not written as a ParkingSpot', async () => {
    const before = h.broker.requests.length;
    const res = await h.call('PATCH', `${E}/urn:ngsi-ld:Thing:1/attrs`, { token: await provider(), body: { type: 'ParkingSpot', status: prop('taken') } });
    expect(res.status).toBe(404);
    expect(writesSince(before)).toEqual([]);
  });

  it('permits writing a stored ParkingSpot, and tells a caller who may read it why a write is denied', async () => {
    const before = h.broker.requests.length;
    const ok = await h.call('PATCH', `${E}/${SPOT}/attrs`, { token: await provider(), body: { status: prop('taken') } });
    expect(ok.status, ok.text).toBe(204);
    expect(writesSince(before)).toHaveLength(1);
    expect((h.broker.entity(SPOT)!.status as { value: string }).value).toBe('taken');
    const denied = await h.call('PATCH', `${E}/${SPOT}/attrs`, { token: await provider(), body: { ownerReference: { type: 'Relationship', object: 'urn:x' } } });
    expect(denied.status).toBe(403);
    expect(writesSince(before)).toHaveLength(1);
  });

  it('answers a write to an entity that does not exist exactly as one to an entity the caller may not know of', async () => {
    const before = h.broker.requests.length;
    const missing = await h.call('PATCH', `${E}/urn:ngsi-ld:ParkingSpot:404/attrs`, { token: await provider(), body: { status: prop('x') } });
    const hidden = await h.call('PATCH', `${E}/${METER}/attrs`, { token: await provider(), body: { status: prop('x') } });
    const read = await h.call('GET', `${E}/${METER}`, { token: await provider() });
    expect(missing.status).toBe(404);
    expect(shape(hidden.text)).toEqual(shape(missing.text));
    expect(shape(read.text)).toEqual(shape(missing.text));
    expect(hidden.headers['content-type']).toBe(missing.headers['content-type']);
    expect(writesSince(before)).toEqual([]);
  });
});

describe('batches', () => {
  it('refuses a batch update that mixes a permitted ParkingSpot with an EnergyMeter, and forwards none of it', async () => {
    const before = h.broker.requests.length;
    const res = await h.call('POST', `${OPS}/update`, { token: await provider(), body: [
      { id: SPOT, type: 'ParkingSpot', status: prop('taken') },
      { id: METER, type: 'ParkingSpot', status: prop('taken') },
    ] });
    expect(res.status).toBe(404);
    expect(writesSince(before)).toEqual([]);
    expect(h.broker.entity(SPOT)).toEqual(spot());
  });

  it('refuses a batch naming an entity that does not exist, and permits one of stored ParkingSpots', async () => {
    const before = h.broker.requests.length;
    const missing = await h.call('POST', `${OPS}/update`, { token: await provider(), body: [
      { id: SPOT, status: prop('taken') }, { id: 'urn:ngsi-ld:ParkingSpot:404', status: prop('taken') },
    ] });
    expect(missing.status).toBe(404);
    expect(writesSince(before)).toEqual([]);
    const ok = await h.call('POST', `${OPS}/update`, { token: await provider(), body: [
      { id: SPOT, status: prop('taken') }, { id: 'urn:ngsi-ld:ParkingSpot:2', type: 'ParkingSpot', status: prop('taken') },
    ] });
    expect(ok.status, ok.text).toBe(204);
    expect(writesSince(before)).toHaveLength(1);
  });

  it('decides an upsert as a create for new entities and as a write on the stored types for existing ones', async () => {
    // The mobility editor may create and write whole ParkingSpots (an upsert may replace them), not EnergyMeters.
    h.broker.seed(spot('urn:ngsi-ld:ParkingSpot:m1'), 'mobility');
    const before = h.broker.requests.length;
    const ok = await h.call('POST', `${OPS}/upsert`, { token: await editor(), headers: MOBILITY, body: [
      { id: 'urn:ngsi-ld:ParkingSpot:new', type: 'ParkingSpot', status: prop('free') },
      { id: 'urn:ngsi-ld:ParkingSpot:m1', type: 'ParkingSpot', status: prop('taken') },
    ] });
    expect(ok.status, ok.text).toBeLessThan(300);
    expect(h.broker.entity('urn:ngsi-ld:ParkingSpot:new', 'mobility')?.type).toBe('ParkingSpot');
    const denied = await h.call('POST', `${OPS}/upsert`, { token: await editor(), headers: MOBILITY, body: [
      { id: 'urn:ngsi-ld:ParkingSpot:new2', type: 'ParkingSpot', status: prop('free') },
      { id: 'urn:ngsi-ld:Spot:T', type: 'ParkingSpot', status: prop('taken') },
    ] });
    expect(denied.status).toBe(404);
    expect(writesSince(before)).toHaveLength(1);
    expect(h.broker.entity('urn:ngsi-ld:ParkingSpot:new2', 'mobility')).toBeUndefined();
    expect(h.broker.entity('urn:ngsi-ld:Spot:T', 'mobility')).toEqual(meter('urn:ngsi-ld:Spot:T'));
  });

  it('refuses a batch naming more entities than it may look up, before asking the broker anything', async () => {
    const before = h.broker.requests.length;
    const body = Array.from({ length: 6 }, (_, i) => ({ id: `urn:ngsi-ld:ParkingSpot:b${i}`, status: prop('x') }));
    const res = await h.call('POST', `${OPS}/update`, { token: await provider(), body });
    expect(res.status).toBe(413);
    expect(h.broker.requests.length).toBe(before);
  });

  it('refuses a batch entity without an id, and a body naming another entity than the path', async () => {
    const before = h.broker.requests.length;
    const noId = await h.call('POST', `${OPS}/update`, { token: await provider(), body: [{ type: 'ParkingSpot', status: prop('x') }] });
    expect(noId.status).toBe(400);
    const other = await h.call('PATCH', `${E}/${SPOT}`, { token: await provider(), body: { id: METER, status: prop('x') } });
    expect(other.status).toBe(400);
    expect(h.broker.requests.length).toBe(before);
  });
});

describe('a write that adds a type', () => {
  it('needs the right to create that type', async () => {
    const before = h.broker.requests.length;
    const res = await h.call('PATCH', `${E}/urn:ngsi-ld:StreetLight:2`, { token: await provider(), body: { type: 'EnergyMeter', status: prop('off') } });
    expect(res.status).toBe(403);
    expect(res.json().detail).toBe('The write adds an entity type the caller may not create.');
    expect(writesSince(before)).toEqual([]);
  });

  it('needs it for every attribute the entity will then have, not only those written', async () => {
    const before = h.broker.requests.length;
    // The provider may create ParkingSpots with status, name and location; StreetLight:1 also has power.
    const res = await h.call('PATCH', `${E}/urn:ngsi-ld:StreetLight:1`, { token: await provider(), body: { type: 'ParkingSpot', status: prop('off') } });
    expect(res.status).toBe(403);
    expect(writesSince(before)).toEqual([]);
    const ok = await h.call('PATCH', `${E}/urn:ngsi-ld:StreetLight:2`, { token: await provider(), body: { type: 'ParkingSpot', status: prop('off') } });
    expect(ok.status, ok.text).toBe(204);
    expect(h.broker.entity('urn:ngsi-ld:StreetLight:2')?.type).toEqual(['StreetLight', 'ParkingSpot']);
  });
});

describe('what the gateway knows of stored types', () => {
  it('asks the broker once for repeated writes of attribute values', async () => {
    const id = 'urn:ngsi-ld:ParkingSpot:c1';
    h.broker.seed(spot(id));
    const before = h.broker.requests.length;
    for (let i = 0; i < 3; i++) {
      expect((await h.call('PATCH', `${E}/${id}/attrs`, { token: await provider(), body: { status: prop(`s${i}`) } })).status).toBe(204);
    }
    expect(lookupsSince(before, id)).toHaveLength(1);
  });

  it('forgets it when the gateway deletes the entity: a re-created EnergyMeter is written as an EnergyMeter', async () => {
    const id = 'urn:ngsi-ld:ParkingSpot:c2';
    h.broker.seed(spot(id));
    expect((await h.call('PATCH', `${E}/${id}/attrs`, { token: await provider(), body: { status: prop('taken') } })).status).toBe(204);
    expect((await h.call('DELETE', `${E}/${id}`, { token: await operator() })).status).toBe(204);
    const created = await h.call('POST', E, { token: await operator(), body: meter(id) });
    expect(created.status, created.text).toBe(201);
    const before = h.broker.requests.length;
    const res = await h.call('PATCH', `${E}/${id}/attrs`, { token: await provider(), body: { type: 'ParkingSpot', status: prop('taken') } });
    expect(res.status).toBe(404);
    expect(lookupsSince(before, id)).toHaveLength(1);
    expect(writesSince(before)).toEqual([]);
    expect(h.broker.entity(id)).toEqual(meter(id));
  });

  it('forgets it when the gateway replaces the entity with another type', async () => {
    const id = 'urn:ngsi-ld:ParkingSpot:c3';
    h.broker.seed(spot(id));
    expect((await h.call('PATCH', `${E}/${id}/attrs`, { token: await provider(), body: { status: prop('taken') } })).status).toBe(204);
    // The operator may write ParkingSpots and EnergyMeters whole: it turns this one into a meter.
    const replaced = await h.call('PUT', `${E}/${id}`, { token: await operator(), body: { type: 'EnergyMeter', consumption: prop(1) } });
    expect(replaced.status, replaced.text).toBe(204);
    const res = await h.call('PATCH', `${E}/${id}/attrs`, { token: await provider(), body: { status: prop('taken') } });
    expect(res.status).toBe(404);
  });
});

describe('when the broker cannot say what an entity is', () => {
  const faults: Array<[string, { status: number; body?: string }]> = [
    ['fails', { status: 503, body: '{}' }],
    ['refuses the gateway', { status: 401, body: '{}' }],
    ['answers with something that is not JSON', { status: 200, body: 'not json' }],
    ['answers with an entity without a type', { status: 200, body: JSON.stringify({ id: 'urn:ngsi-ld:ParkingSpot:f' }) }],
    ['answers with another entity', { status: 200, body: JSON.stringify({ id: SPOT, type: 'ParkingSpot' }) }],
  ];
  for (const [name, fault] of faults) {
    it(`denies the write when the lookup ${name}, and forwards nothing`, async () => {
      // An entity the gateway has not asked about before, so the broker is asked now.
      const id = 'urn:ngsi-ld:ParkingSpot:f';
      h.broker.seed(spot(id));
      h.broker.setFault((req) => (req.method === 'GET' ? fault : undefined));
      const before = h.broker.requests.length;
      const res = await h.call('PATCH', `${E}/${id}/attrs`, { token: await provider(), body: { status: prop('taken') } });
      expect(res.status, res.text).toBe(502);
      expect(res.json().type).toBe('https://mimtrust.org/errors/BadGateway');
      expect(res.text).not.toContain('not json');
      expect(lookupsSince(before, id)).toHaveLength(1);
      expect(writesSince(before)).toEqual([]);
    });
  }

  it('denies with 502 when the broker is down', async () => {
    const down = await startHarness({ contractsDir: join(REPO, 'test', 'fixtures', 'contracts-writes') });
    try {
      await down.broker.close();
      const res = await down.call('PATCH', `${E}/${SPOT}/attrs`, { token: await token(down.issuer, { roles: ['provider'] }), body: { status: prop('taken') } });
      expect(res.status).toBe(502);
      expect(res.json().type).toBe('https://mimtrust.org/errors/BadGateway');
    } finally {
      await down.close();
      rmSync(down.dir, { recursive: true, force: true });
    }
  });
});

describe('the decision point for other proxies', () => {
  const bearer = async () => ({ authorization: `Bearer ${await provider()}` });

  it('decides a write on the stored types too, and answers a hidden entity as a missing one', async () => {
    const before = h.broker.requests.length;
    const check = (path: string) => h.call('PATCH', `/pdp/v1/ext_authz${path}`, { headers: {}, body: { type: 'ParkingSpot', status: prop('x') } });
    const withToken = async (path: string) => h.call('PATCH', `/pdp/v1/ext_authz${path}`, { headers: await bearer(), body: { type: 'ParkingSpot', status: prop('x') } });
    expect((await check(`${E}/${METER}/attrs`)).status).toBe(401);
    const hidden = await withToken(`${E}/${METER}/attrs`);
    const missing = await withToken(`${E}/urn:ngsi-ld:ParkingSpot:404/attrs`);
    expect(hidden.status).toBe(404);
    expect(shape(hidden.text)).toEqual(shape(missing.text));
    expect((await withToken(`${E}/${SPOT}/attrs`)).status).toBe(200);
    const ask = async (path: string) => (await h.call('POST', '/pdp/v1/decisions', { body: { input: {
      method: 'PATCH', path, headers: await bearer(), body: { type: 'ParkingSpot', status: prop('x') },
    } } })).json().result;
    const asHidden = await ask(`${E}/${METER}/attrs`);
    expect(asHidden.allow).toBe(false);
    expect(asHidden).toEqual(await ask(`${E}/urn:ngsi-ld:ParkingSpot:404/attrs`));
    // The decision point asks the broker, and never writes.
    expect(lookupsSince(before, METER).length).toBeGreaterThan(0);
    expect(writesSince(before)).toEqual([]);
  });
});
