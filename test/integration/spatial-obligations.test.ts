/**
 * Spatial constraints end to end: the real gateway over HTTPS, contracts from
 * test/fixtures/contracts-spatial (a U-shaped district, a Pacific area across the
 * antimeridian) and the in-memory broker. Each case tries to see through the area: a long
 * geometry that would hold up the gateway, a second GeoProperty outside the area, an
 * entity placed across the antimeridian, and an area that would silently wrap the globe.
 */
import { describe, it, expect, beforeAll, afterAll } from 'vitest';
import { subscribe, unsubscribe } from 'node:diagnostics_channel';
import { join } from 'node:path';
import { startHarness, token, REPO, type Harness } from '../helpers/harness.js';

const E = '/ngsi-ld/v1/entities';
let h: Harness;

const geo = (value: unknown) => ({ type: 'GeoProperty', value });
const point = (lon: number, lat: number) => ({ type: 'Point', coordinates: [lon, lat] });
const square = (lon: number, lat: number, d: number) => ({
  type: 'Polygon', coordinates: [[[lon, lat], [lon + d, lat], [lon + d, lat + d], [lon, lat + d], [lon, lat]]],
});

/** A deterministic walk of n positions inside the base of the U (4.31..4.39, 50.81..50.85). */
function walk(n: number, seed: number): number[][] {
  let s = seed;
  const rand = () => (s = (s * 1103515245 + 12345) % 2147483648) / 2147483648;
  const out: number[][] = [];
  let x = 4.35, y = 50.83;
  for (let i = 0; i < n; i++) {
    x = Math.min(4.39, Math.max(4.31, x + (rand() - 0.5) * 0.002));
    y = Math.min(50.85, Math.max(50.81, y + (rand() - 0.5) * 0.002));
    out.push([Math.round(x * 1e5) / 1e5, Math.round(y * 1e5) / 1e5]);
  }
  return out;
}

const TRACKS = 24;
const MAX_POINTS = 10_000;

beforeAll(async () => {
  h = await startHarness({ contractsDir: join(REPO, 'test', 'fixtures', 'contracts-spatial') });
  expect(h.config.limits.maxGeometryPoints).toBe(MAX_POINTS);
  for (let i = 0; i < TRACKS; i++) {
    h.broker.seed({ id: `urn:ngsi-ld:Track:${i}`, type: 'Track', location: geo({ type: 'LineString', coordinates: walk(MAX_POINTS, i + 1) }) });
  }
  // Inside, but one position more than a geometry may have to be checked.
  h.broker.seed({ id: 'urn:ngsi-ld:Track:too-long', type: 'Track', location: geo({ type: 'LineString', coordinates: walk(MAX_POINTS + 1, 99) }) });
  // Both ends inside the U, the line between them across the notch.
  h.broker.seed({ id: 'urn:ngsi-ld:Track:notch', type: 'Track', location: geo({ type: 'LineString', coordinates: [[4.32, 50.88], [4.38, 50.88]] }) });

  h.broker.seed({
    id: 'urn:ngsi-ld:Sensor:1', type: 'Sensor',
    status: { type: 'Property', value: 'ok' },
    location: geo(point(4.32, 50.82)),
    // Reaches past the district's eastern edge.
    observationSpace: geo(square(4.38, 50.82, 0.05)),
    operationSpace: geo(square(4.31, 50.81, 0.02)),
    // Any attribute holding a geometry is bounded, whatever its name or type.
    route: geo({ type: 'LineString', coordinates: [[4.32, 50.82], [4.35, 50.95]] }),
    seenAt: { type: 'Property', value: point(4.35, 50.88) },
  });
  // In the notch, though what it observes lies inside.
  h.broker.seed({ id: 'urn:ngsi-ld:Sensor:2', type: 'Sensor', location: geo(point(4.35, 50.88)), observationSpace: geo(square(4.31, 50.81, 0.01)) });
  // No location at all.
  h.broker.seed({ id: 'urn:ngsi-ld:Sensor:3', type: 'Sensor', operationSpace: geo(square(4.31, 50.81, 0.01)) });

  for (const [name, lon] of [['east', 175], ['west', -175], ['greenwich', 0], ['outside', 160]] as const) {
    h.broker.seed({ id: `urn:ngsi-ld:Buoy:${name}`, type: 'Buoy', location: geo(point(lon, 0)) });
  }
});
afterAll(async () => {
  await h?.close();
});

const district = () => token(h.issuer, { roles: ['viewer', 'district'] });
const pacific = () => token(h.issuer, { roles: ['viewer', 'pacific'] });
const ids = (body: unknown) => (body as Array<{ id: string }>).map((e) => e.id).sort();

describe('long geometries', () => {
  it('are checked in slices: /health answers while the response is being filtered', async () => {
    // Two idle connections, so /health needs no new TLS handshake while the query holds one.
    await Promise.all([h.call('GET', '/health'), h.call('GET', '/health')]);
    const t = await district();
    const events: string[] = [];
    let health: Promise<void> | undefined;
    let slices = 0;
    const onFilter = (message: unknown): void => {
      const m = message as { event: string; operation: string; slices: number };
      if (m.operation !== 'entity.query') return;
      if (m.event === 'slice' && health === undefined) {
        events.push('filtering');
        health = h.call('GET', '/health').then((res) => {
          expect(res.status).toBe(200);
          events.push('health answered');
        });
      }
      if (m.event === 'end') {
        slices = m.slices;
        events.push('filtered');
      }
    };
    subscribe('mimtrust:filter', onFilter);
    try {
      const res = await h.call('GET', `${E}?type=Track&limit=100`, { token: t });
      expect(res.status).toBe(200);
      expect(ids(res.json())).toEqual(Array.from({ length: TRACKS }, (_, i) => `urn:ngsi-ld:Track:${i}`).sort());
      await health;
    } finally {
      unsubscribe('mimtrust:filter', onFilter);
    }
    expect(events).toEqual(['filtering', 'health answered', 'filtered']);
    expect(slices).toBeGreaterThan(1);
  });

  it('beyond limits.maxGeometryPoints count as outside, as does a line leaving the area', async () => {
    const t = await district();
    for (const id of ['urn:ngsi-ld:Track:too-long', 'urn:ngsi-ld:Track:notch']) {
      const res = await h.call('GET', `${E}/${id}`, { token: t });
      expect(res.status, id).toBe(404);
      expect(res.text).not.toContain('LineString');
    }
    expect((await h.call('GET', `${E}/urn:ngsi-ld:Track:0`, { token: t })).status).toBe(200);
  });
});

describe('every GeoProperty is bounded', () => {
  const shownOf = (body: unknown) => (body as Array<Record<string, unknown>>).map((e) => [e.id, Object.keys(e).sort()]);
  const sensor1 = ['id', 'location', 'operationSpace', 'status', 'type'];

  for (const [name, options] of [['normalized', ''], ['concise', '&options=concise'], ['keyValues', '&options=keyValues']] as const) {
    it(`${name}: the entity is placed by its location; other geometries outside are removed`, async () => {
      const res = await h.call('GET', `${E}?type=Sensor${options}`, { token: await district() });
      expect(res.status).toBe(200);
      expect(shownOf(res.json())).toEqual([['urn:ngsi-ld:Sensor:1', sensor1]]);
      expect(res.text).not.toContain('4.43');
      expect(res.text).not.toContain('50.95');
      expect(res.text).not.toContain('50.88');
    });
  }

  it('temporal: every instance counts', async () => {
    const res = await h.call('GET', '/ngsi-ld/v1/temporal/entities?type=Sensor', { token: await district() });
    expect(res.status).toBe(200);
    expect(shownOf(res.json())).toEqual([['urn:ngsi-ld:Sensor:1', sensor1]]);
  });

  it('GeoJSON: a geometry property outside leaves the Feature without a geometry', async () => {
    const t = await district();
    const outside = await h.call('GET', `${E}?type=Sensor&format=geojson&geometryProperty=observationSpace`, { token: t });
    expect(outside.status).toBe(200);
    const [feature] = outside.json().features;
    expect(feature.id).toBe('urn:ngsi-ld:Sensor:1');
    expect(feature.geometry).toBeNull();
    expect(Object.keys(feature.properties).sort()).toEqual(sensor1.filter((k) => k !== 'id'));
    expect(outside.text).not.toContain('4.43');
    const inside = await h.call('GET', `${E}?type=Sensor&format=geojson&geometryProperty=operationSpace`, { token: t });
    expect(inside.json().features[0].geometry).toEqual(square(4.31, 50.81, 0.02));
  });
});

describe('the antimeridian', () => {
  it('an area written across it shows what lies on either side, and nothing on the far side of the globe', async () => {
    const res = await h.call('GET', `${E}?type=Buoy`, { token: await pacific() });
    expect(res.status).toBe(200);
    expect(ids(res.json())).toEqual(['urn:ngsi-ld:Buoy:east', 'urn:ngsi-ld:Buoy:west']);
  });

  it('an area whose edge jumps across it is refused at load, saying how to write it', async () => {
    const admin = await token(h.issuer, { roles: ['contract-admin'] });
    const contract = {
      '@context': ['http://www.w3.org/ns/odrl.jsonld', { ngsi: 'https://mimtrust.org/ns/odrl-ngsi-ld#' }],
      '@type': 'Set', uid: 'urn:test:spatial:band', profile: 'https://mimtrust.org/ns/odrl-ngsi-ld',
      permission: [{
        uid: 'read', action: 'ngsi:read', target: { '@type': 'AssetCollection', refinement: [] },
        constraint: [{ leftOperand: 'spatial', operator: 'ngsi:within', rightOperand: {
          type: 'Polygon', coordinates: [[[170, -10], [-170, -10], [-170, 10], [170, 10], [170, -10]]],
        } }],
      }],
    };
    const res = await h.call('POST', '/admin/contracts/validate', { token: admin, body: contract });
    expect(res.status).toBe(200);
    expect(res.json()).toMatchObject({ valid: false, errors: [{ code: 'ERR_CONTRACT_BAD_VALUE' }] });
    expect(res.json().errors[0].message).toMatch(/edge from \[170, -10\] to \[-170, -10\] spans more than 180° of longitude.*beyond ±180/);
    const stored = await h.call('POST', '/admin/contracts', { token: admin, body: contract });
    expect(stored.status).toBe(400);
  });
});
