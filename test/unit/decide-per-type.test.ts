/**
 * Decisions per entity type: each type gets the view its own applicable permissions give,
 * with its own areas (none where an unbounded permission covers it), so a public
 * permission on one type never removes an area-bound permission on another. The filter
 * then shows, per entity, the scopes of those of its types whose areas it lies in.
 * Three parties: public street lights, a statistics office reading water meters in one
 * district, and a prohibition on marketing with meters.
 */
import { describe, expect, it } from 'vitest';
import { decideContracts as decide } from '../../src/policy/decide.js';
import { decisionJson, shownBy } from '../../src/policy/index.js';
import type { Decision } from '../../src/policy/types.js';
import { brokerCountExact, filterResponse, type FilterResponseInput } from '../../src/filter/index.js';
import { attrsAnyOf, doc, DPV, request, role, snapshot, target, V, type RequestOver } from './contracts-fixtures.js';
import { MAX_POINTS } from './filter-fixtures.js';

const SL = `${V}Streetlight`;
const WM = `${V}WaterMeter`;
const LOCATION = 'https://uri.etsi.org/ngsi-ld/location';
const GAUGE = `${V}RainGauge`;
const DISTRICT = { type: 'Polygon', coordinates: [[[4.3, 50.8], [4.4, 50.8], [4.4, 50.9], [4.3, 50.9], [4.3, 50.8]]] };
const HARBOUR = { type: 'Polygon', coordinates: [[[4.2, 51.2], [4.5, 51.2], [4.5, 51.4], [4.2, 51.4], [4.2, 51.2]]] };
const within = (area: object) => [{ leftOperand: 'spatial', operator: 'ngsi:within', rightOperand: area }];

const snap = snapshot(
  doc('urn:c:lights', { permission: [{ uid: 'public', target: target('Streetlight', attrsAnyOf('status', LOCATION)), action: ['read', 'create', 'modify'] }] }),
  doc('urn:c:meters', { permission: [{
    uid: 'statistics', target: target(['WaterMeter', 'RainGauge']), assignee: role('statistics'), action: ['read', 'modify'],
    constraint: [...within(DISTRICT), { leftOperand: 'count', operator: 'lteq', rightOperand: 100, 'ngsi:period': 'PT1H' }],
  }] }),
  doc('urn:c:no-marketing', { prohibition: [{
    uid: 'marketing', target: target('WaterMeter'), action: 'use',
    constraint: [{ leftOperand: 'purpose', operator: 'isA', rightOperand: 'dpv:Marketing' }],
  }] }),
);
const office = { subject: { clientId: 'stats-office', roles: ['statistics'] }, purpose: `${DPV}PublicBenefit` };
const run = (over: RequestOver) => decide(request(over), snap, { counters: new Map(), decisionId: 'd-1' });
const areasOf = (d: Decision) => Object.fromEntries([...d.obligations.within ?? []].map(([t, areas]) => [t, areas.map((a) => a.geometry)]));

describe('decide: every type its own view and areas', () => {
  const reads: Array<[string, RequestOver]> = [
    ['two types, one bounded', { ...office, types: [SL, WM] }],
    ['a read by id, type unknown', { ...office, typeUnknown: true, entityIds: ['urn:ngsi-ld:WaterMeter:1'], operation: 'entity.retrieve' }],
    ['idPattern, type unknown', { ...office, typeUnknown: true, idPatterns: ['urn:ngsi-ld:.*'] }],
    ['no type at all', { ...office, typeUnknown: true }],
  ];
  it.each(reads)('%s: street lights anywhere, meters within the district', (_n, over) => {
    const d = run(over);
    expect([d.effect, d.reason]).toEqual(['permit', 'permitted']);
    expect(areasOf(d)).toMatchObject({ [WM]: [DISTRICT] });
    expect(d.obligations.within?.has(SL)).toBe(false);
    expect(d.obligations.view?.get(SL)).toEqual({ kind: 'only', attrs: new Set([`${V}status`, LOCATION]) });
    expect(d.obligations.view?.get(WM)).toEqual({ kind: 'all', except: new Set() });
    // Both permissions are named, and the bounded one's count counts.
    expect(d.rules.map((r) => r.rule).sort()).toEqual(['public', 'statistics']);
    expect(d.obligations.counters).toHaveLength(1);
  });

  it('one type alone: the area-bound permission decides with its area', () => {
    const d = run({ ...office, types: [WM] });
    expect(areasOf(d)).toEqual({ [WM]: [DISTRICT] });
    expect(d.rules.map((r) => r.rule)).toEqual(['statistics']);
  });

  it('types bounded alike share one list of areas', () => {
    const d = run({ ...office, types: [WM, GAUGE] });
    expect(d.obligations.within?.get(WM)).toBe(d.obligations.within?.get(GAUGE));
  });

  it('a caller without the bounded permission sees street lights only, unbounded', () => {
    const citizen = { purpose: `${DPV}PublicBenefit` };
    const d = run({ ...citizen, typeUnknown: true, entityIds: ['urn:ngsi-ld:WaterMeter:1'], operation: 'entity.retrieve' });
    expect([...d.obligations.view!.keys()]).toEqual([SL]);
    expect(d.obligations.within).toBeUndefined();
    expect(run({ ...citizen, types: [SL, WM] }).reason).toBe('type_not_permitted');
  });

  it('the prohibition still wins across types: named, it denies; unnamed, its type is excluded', () => {
    const marketing = { ...office, purpose: `${DPV}Marketing` };
    expect(run({ ...marketing, types: [SL, WM] }).reason).toBe('prohibited');
    const d = run({ ...marketing, typeUnknown: true });
    expect(d.effect).toBe('permit');
    expect([...d.obligations.excludeTypes!]).toEqual([WM]);
    expect(d.obligations.view?.has(WM)).toBe(false);
    expect(d.obligations.within?.has(WM) ?? false).toBe(false);
    expect(run({ ...marketing, types: [SL] }).obligations.excludeTypes).toEqual(new Set([WM]));
  });

  it('counts are exact only where no shown type is area-bound', () => {
    expect(brokerCountExact(run({ ...office, types: [SL, WM] }).obligations, false, [])).toBe(false);
    expect(brokerCountExact(run({ ...office, types: [SL] }).obligations, false, [])).toBe(true);
  });

  it('the decision JSON names the areas per type', () => {
    const json = decisionJson(run({ ...office, types: [SL, WM] })) as { obligations: Record<string, unknown> };
    expect(json.obligations.within).toEqual({ [WM]: [DISTRICT] });
    expect(json.obligations).not.toHaveProperty('otherTypesWithin');
  });

  it('writes are decided per type too', () => {
    const w = run({ ...office, action: 'modify', operation: 'attrs.update', types: [SL, WM], attrs: [`${V}status`] });
    expect(w.effect).toBe('permit');
    expect(areasOf(w)).toEqual({ [WM]: [DISTRICT] });
    expect(run({ ...office, action: 'modify', operation: 'attrs.update', types: [SL, WM], attrs: [`${V}reading`] }).reason).toBe('attribute_not_permitted');
  });
});

describe('decide: areas against areas, and against permissions without a type', () => {
  const two = snapshot(
    doc('urn:c:a', { permission: [{ uid: 'a', target: target('WaterMeter'), action: 'read', constraint: within(DISTRICT) }] }),
    doc('urn:c:b', { permission: [{ uid: 'b', target: target('RainGauge'), action: 'read', constraint: within(HARBOUR) }] }),
    doc('urn:c:c', { permission: [{ uid: 'c', target: target('WaterMeter', attrsAnyOf('status')), action: 'read', constraint: within(HARBOUR) }] }),
  );
  const runIn = (s: ReturnType<typeof snapshot>, over: RequestOver) => decide(request(over), s, { counters: new Map(), decisionId: 'd' });

  it('each type is bounded by the areas of the permissions covering it, its scope what all of them grant', () => {
    const d = runIn(two, { types: [WM, GAUGE] });
    expect(d.effect).toBe('permit');
    expect(areasOf(d)).toEqual({ [WM]: [DISTRICT, HARBOUR], [GAUGE]: [HARBOUR] });
    expect(d.obligations.view?.get(WM)).toEqual({ kind: 'only', attrs: new Set([`${V}status`]) });
    expect(d.obligations.view?.get(GAUGE)).toEqual({ kind: 'all', except: new Set() });
  });

  it('an area-bound permission without a type bounds the other types; a typed unbounded one frees its own type only', () => {
    const s = snapshot(
      doc('urn:c:any', { permission: [{ uid: 'any', target: target(null), action: 'read', constraint: within(DISTRICT) }] }),
      doc('urn:c:sl', { permission: [{ uid: 'sl', target: target('Streetlight'), action: 'read' }] }),
    );
    const d = runIn(s, { typeUnknown: true });
    expect(d.obligations.within).toBeUndefined();
    expect(d.obligations.otherTypesWithin?.map((a) => a.geometry)).toEqual([DISTRICT]);
    expect(d.obligations.view?.has(SL)).toBe(true);
    expect(runIn(s, { types: [WM] }).obligations.within?.get(WM)?.map((a) => a.geometry)).toEqual([DISTRICT]);
    expect(runIn(s, { types: [SL] }).obligations.within).toBeUndefined();
    // Without any typed permission, every entity is shown whole within the area.
    const alone = runIn(snapshot(doc('urn:c:any', { permission: [{ uid: 'any', target: target(null), action: 'read', constraint: within(DISTRICT) }] })), { typeUnknown: true });
    expect(alone.obligations.view).toBeUndefined();
    expect(alone.obligations.otherTypesWithin).toHaveLength(1);
    expect(shownBy(alone.obligations).otherTypesWithin).toHaveLength(1);
  });
});

describe('filter: an entity shows the scopes of the types whose areas it lies in', () => {
  const d = run({ ...office, types: [SL, WM] });
  const expand = (t: string) => (t.includes(':') ? t : t === 'location' ? LOCATION : V + t);
  const filter = (body: unknown, more: Partial<FilterResponseInput> = {}) =>
    filterResponse({ operation: 'entity.query', body, expand, options: [], maxGeometryPoints: MAX_POINTS, ...shownBy(d.obligations), ...more });
  const point = (lon: number, lat: number) => ({ type: 'GeoProperty', value: { type: 'Point', coordinates: [lon, lat] } });
  const both = (id: string, lon: number, lat: number) => ({
    id, type: ['Streetlight', 'WaterMeter'],
    status: { type: 'Property', value: 'on' },
    totalConsumption: { type: 'Property', value: 12 },
    location: point(lon, lat),
  });

  it('inside: what either type shows; outside: what the unbounded type shows', () => {
    const out = filter([both('urn:in', 4.35, 50.85), both('urn:out', 5, 52)]);
    expect(out.body).toEqual([
      both('urn:in', 4.35, 50.85),
      { id: 'urn:out', type: ['Streetlight', 'WaterMeter'], status: { type: 'Property', value: 'on' }, location: point(5, 52) },
    ]);
    expect(out.droppedEntities).toBe(0);
  });

  it('an entity of the bounded type alone is hidden outside, and so is one without a location', () => {
    const meter = (id: string, location?: object) => ({ id, type: 'WaterMeter', totalConsumption: { type: 'Property', value: 1 }, ...(location ? { location } : {}) });
    const out = filter([meter('urn:in', point(4.35, 50.85)), meter('urn:out', point(5, 52)), meter('urn:none')]);
    expect((out.body as Array<{ id: string }>).map((e) => e.id)).toEqual(['urn:in']);
    expect(out.droppedEntities).toBe(2);
  });

  it('a geographic attribute only the bounded type shows is removed where it lies outside', () => {
    const entity = { ...both('urn:in', 4.35, 50.85), serviceArea: { type: 'GeoProperty', value: { type: 'Point', coordinates: [6, 52] } } };
    const out = filter([entity]);
    expect(Object.keys((out.body as object[])[0]!)).toEqual(['id', 'type', 'status', 'totalConsumption', 'location']);
  });

  it('GeoJSON: the geometry of an entity outside stays where the unbounded type shows location', () => {
    const feature = (lon: number, lat: number) => ({
      id: 'urn:x', type: 'Feature', geometry: { type: 'Point', coordinates: [lon, lat] },
      properties: { type: ['Streetlight', 'WaterMeter'], totalConsumption: { type: 'Property', value: 12 }, location: point(lon, lat) },
    });
    const out = filter({ type: 'FeatureCollection', features: [feature(5, 52)] }, { format: 'geojson' });
    expect((out.body as { features: unknown[] }).features).toEqual([{
      id: 'urn:x', type: 'Feature', geometry: { type: 'Point', coordinates: [5, 52] },
      properties: { type: ['Streetlight', 'WaterMeter'], location: point(5, 52) },
    }]);
  });

  it('discovery keeps the entity count of the unbounded type only', () => {
    const types = [
      { id: SL, type: 'EntityType', typeName: 'Streetlight', attributeNames: ['status'], entityCount: 3 },
      { id: WM, type: 'EntityType', typeName: 'WaterMeter', attributeNames: ['totalConsumption'], entityCount: 5 },
    ];
    const out = filterResponse({ operation: 'types.list', body: types, expand, options: [], maxGeometryPoints: MAX_POINTS, ...shownBy(d.obligations) });
    expect(out.body).toEqual([types[0], { id: WM, type: 'EntityType', typeName: 'WaterMeter', attributeNames: ['totalConsumption'] }]);
  });

  it('fetched attributes are read for placing, never shown, and an entity the caller\'s attrs do not match is dropped', () => {
    const fetched = { attrs: new Set([LOCATION]), matchedBy: new Set([`${V}totalConsumption`]) };
    const onlyLocation = { id: 'urn:bare', type: 'WaterMeter', location: point(4.35, 50.85) };
    const out = filter([both('urn:in', 4.35, 50.85), onlyLocation], { fetched });
    expect(out.body).toEqual([{ id: 'urn:in', type: ['Streetlight', 'WaterMeter'], status: { type: 'Property', value: 'on' }, totalConsumption: { type: 'Property', value: 12 } }]);
    expect(out).toMatchObject({ droppedEntities: 1, removedAttributes: 0 });
  });
});
