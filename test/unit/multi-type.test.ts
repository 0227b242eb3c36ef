/**
 * Every type counts: an entity carrying a readable type and a type with an attribute
 * prohibition shows nothing that prohibition forbids, in any representation and in
 * discovery, and filters may not probe it. Decided by decide(), applied by the filter.
 */
import { describe, expect, it } from 'vitest';
import { decideContracts as decide } from '../../src/policy/decide.js';
import type { Decision } from '../../src/policy/types.js';
import { filterResponse, brokerCountExact, checkCountable, checkShownCount, type FilterResponseInput } from '../../src/filter/index.js';
import { attrsAnyOf, doc, request, snapshot, target, V, type RequestOver } from './contracts-fixtures.js';
import { AREA } from './filter-fixtures.js';

const PS = `${V}ParkingSpot`;
const HEM = `${V}HomeEnergyMeter`;
const SECRET = `${V}SecretSite`;
const expand = (t: string) => (t.includes(':') ? t : V + t);

const snap = snapshot(
  doc('urn:c:parking', { permission: [{ uid: 'read', target: target('ParkingSpot'), action: ['read', 'readTemporal'] }] }),
  doc('urn:c:meter', {
    permission: [{ uid: 'read', target: target('HomeEnergyMeter'), action: ['read', 'readTemporal'] }],
    prohibition: [{ uid: 'occupant', target: target('HomeEnergyMeter', attrsAnyOf('occupant')), action: ['read', 'readTemporal'] }],
  }),
  doc('urn:c:secret', { prohibition: [{ uid: 'never', target: target('SecretSite'), action: 'use' }] }),
);
const run = (over: RequestOver) => decide(request(over), snap, { counters: new Map(), decisionId: 'd-1' });

const meterSpot = {
  id: 'urn:ngsi-ld:ParkingSpot:m1',
  type: ['ParkingSpot', 'HomeEnergyMeter'],
  status: { type: 'Property', value: 'free' },
  occupant: { type: 'Property', value: 'Alice' },
  location: { type: 'GeoProperty', value: { type: 'Point', coordinates: [4.35, 50.85] } },
};

function filter(d: Decision, operation: FilterResponseInput['operation'], body: unknown, more: Partial<FilterResponseInput> = {}) {
  const ob = d.obligations;
  return filterResponse({
    operation, body, expand, options: [],
    view: ob.view ?? new Map(),
    ...(ob.otherTypes ? { otherTypes: ob.otherTypes } : {}),
    ...(ob.excludeTypes ? { excludeTypes: ob.excludeTypes } : {}),
    ...(ob.forbidTypes ? { forbidTypes: ob.forbidTypes } : {}),
    ...more,
  });
}

describe('decide: prohibitions on any of an entity type', () => {
  it('a read naming one type carries the attribute prohibitions of every other type', () => {
    const d = run({ types: [PS] });
    expect(d.effect).toBe('permit');
    expect(d.obligations.view?.get(PS)).toEqual({ kind: 'all', except: new Set() });
    expect(d.obligations.forbidTypes?.get(HEM)).toEqual({ kind: 'only', attrs: new Set([`${V}occupant`]) });
    expect(d.obligations.excludeTypes?.has(SECRET)).toBe(true);
  });

  it('so does a read without a type', () => {
    const d = run({ typeUnknown: true, idPatterns: ['urn:ngsi-ld:.*'] });
    expect(d.obligations.forbidTypes?.get(HEM)?.kind).toBe('only');
  });

  it('a filter may not read what some type prohibits, whichever type the query names', () => {
    for (const over of [{ types: [PS] }, { typeUnknown: true }, { types: [PS, HEM] }]) {
      const d = run({ ...over, filterReads: [{ attr: `${V}occupant`, via: 'q' }] });
      expect([d.effect, d.reason]).toEqual(['deny', 'filter_reads_forbidden_attribute']);
    }
    expect(run({ types: [PS], filterReads: [{ attr: `${V}status`, via: 'q' }] }).effect).toBe('permit');
  });

  it('without any prohibition on another type the read stays unfiltered', () => {
    const open = snapshot(doc('urn:c:parking', { permission: [{ uid: 'read', target: target(null), action: 'read' }] }));
    const d = decide(request({ typeUnknown: true }), open, { counters: new Map(), decisionId: 'd' });
    expect(d.obligations.view).toBeUndefined();
    expect(d.obligations.forbidTypes).toBeUndefined();
  });
});

describe('filter: the prohibition wins in every representation', () => {
  const d = run({ types: [PS] });
  const kv = { id: meterSpot.id, type: meterSpot.type, status: 'free', occupant: 'Alice' };
  const temporal = { id: meterSpot.id, type: meterSpot.type, occupant: [{ type: 'Property', value: 'Alice', observedAt: '2026-01-01T00:00:00Z' }], status: [{ type: 'Property', value: 'free', observedAt: '2026-01-01T00:00:00Z' }] };
  const feature = { id: meterSpot.id, type: 'Feature', geometry: meterSpot.location.value, properties: { type: meterSpot.type, status: meterSpot.status, occupant: meterSpot.occupant, location: meterSpot.location } };
  const cases: Array<[string, FilterResponseInput['operation'], unknown, Partial<FilterResponseInput>]> = [
    ['normalized retrieve', 'entity.retrieve', meterSpot, {}],
    ['normalized query', 'entity.query', [meterSpot], {}],
    ['batch query', 'batch.query', [meterSpot], {}],
    ['keyValues', 'entity.query', [kv], { options: ['keyValues'] }],
    ['temporal', 'temporal.retrieve', temporal, {}],
    ['temporal query', 'temporal.query', [temporal], {}],
    ['GeoJSON Feature', 'entity.retrieve', feature, { format: 'geojson' }],
    ['GeoJSON collection', 'entity.query', { type: 'FeatureCollection', features: [feature] }, { format: 'geojson' }],
  ];
  it.each(cases)('%s', (_n, op, body, more) => {
    const out = filter(d, op, body, more);
    const text = JSON.stringify(out.body);
    expect(text).not.toContain('occupant');
    expect(text).not.toContain('Alice');
    expect(text).toContain('free');
    expect(out.droppedEntities).toBe(0);
  });

  it('the order of the types does not matter, nor their form', () => {
    for (const type of [['HomeEnergyMeter', 'ParkingSpot'], [HEM, PS]]) {
      const out = filter(d, 'entity.retrieve', { ...meterSpot, type });
      expect(Object.keys(out.body as object)).not.toContain('occupant');
    }
  });

  it('an entity of the readable type alone keeps the attribute', () => {
    const out = filter(d, 'entity.retrieve', { ...meterSpot, type: 'ParkingSpot' });
    expect(Object.keys(out.body as object)).toContain('occupant');
  });
});

describe('filter: discovery names no prohibited attribute under another type', () => {
  const d = run({ action: 'read', operation: 'types.list', typeUnknown: true });

  it('EntityType details leave it out of every type, and entity counts that could include hidden entities go', () => {
    const body = [{ id: PS, type: 'EntityType', typeName: 'ParkingSpot', attributeNames: ['status', 'occupant'] }];
    expect(filter(d, 'types.list', body).body).toEqual([{ ...body[0], attributeNames: ['status'] }]);
    const info = { id: PS, type: 'EntityTypeInfo', typeName: 'ParkingSpot', entityCount: 4, attributeDetails: [
      { id: `${V}status`, type: 'Attribute', attributeName: 'status', attributeCount: 4 },
      { id: `${V}occupant`, type: 'Attribute', attributeName: 'occupant', attributeCount: 1 },
    ] };
    // SecretSite is excluded: some ParkingSpot may be one, so no count is exact.
    expect(filter(d, 'types.retrieve', info).body).toEqual({ id: PS, type: 'EntityTypeInfo', typeName: 'ParkingSpot', attributeDetails: [{ id: `${V}status`, type: 'Attribute', attributeName: 'status' }] });
  });

  it('an Attribute whose listed types include the prohibiting one is not named at all', () => {
    const item = { id: `${V}occupant`, type: 'Attribute', attributeName: 'occupant', attributeCount: 3, typeNames: ['ParkingSpot', 'HomeEnergyMeter'] };
    expect(() => filter(d, 'attributes.retrieve', item)).toThrow(expect.objectContaining({ code: 'NOT_FOUND', reason: 'filtered_out' }));
    expect(filter(d, 'attributes.list', [item]).body).toEqual([]);
  });

  it('an Attribute only readable types have is named, without a count a hidden entity could be in', () => {
    const item = { id: `${V}occupant`, type: 'Attribute', attributeName: 'occupant', attributeCount: 3, typeNames: ['ParkingSpot'] };
    expect(filter(d, 'attributes.retrieve', item).body).toEqual({ id: `${V}occupant`, type: 'Attribute', attributeName: 'occupant', typeNames: ['ParkingSpot'] });
  });

  it('an AttributeList without types leaves a prohibited name out', () => {
    const list = { id: 'urn:ngsi-ld:AttributeList:1', type: 'AttributeList', attributeList: ['status', 'occupant'] };
    expect(filter(d, 'attributes.list', list).body).toEqual({ ...list, attributeList: ['status'] });
  });

  it('counts stay where nothing of a shown type can be hidden', () => {
    const plain = decide(request({ operation: 'types.retrieve', types: [PS] }), snapshot(
      doc('urn:c:parking', { permission: [{ uid: 'read', target: target('ParkingSpot', attrsAnyOf('status')), action: 'read' }] }),
    ), { counters: new Map(), decisionId: 'd' });
    const info = { id: PS, type: 'EntityTypeInfo', typeName: 'ParkingSpot', entityCount: 4, attributeDetails: [{ id: `${V}status`, type: 'Attribute', attributeName: 'status', attributeCount: 4 }] };
    expect(filter(plain, 'types.retrieve', info).body).toEqual(info);
    const attr = { id: `${V}status`, type: 'Attribute', attributeName: 'status', attributeCount: 4, typeNames: ['ParkingSpot'] };
    expect(filter(plain, 'attributes.retrieve', attr).body).toEqual(attr);
  });
});

describe('counts', () => {
  const count: Array<readonly [string, string]> = [['count', 'true']];
  it('are exact only where the filter cannot hide a counted entity', () => {
    const named = run({ types: [PS] }).obligations;
    expect(brokerCountExact(named, false, count)).toBe(false); // SecretSite may ride along
    const onlyParking = decide(request({ types: [PS] }), snapshot(
      doc('urn:c:parking', { permission: [{ uid: 'read', target: target('ParkingSpot', attrsAnyOf('status')), action: 'read' }] }),
    ), { counters: new Map(), decisionId: 'd' }).obligations;
    expect(brokerCountExact(onlyParking, false, count)).toBe(true);
    // Without a type the broker counts every type, unless the gateway narrowed the query.
    expect(brokerCountExact(onlyParking, true, count)).toBe(false);
    expect(brokerCountExact(onlyParking, true, [...count, ['type', 'ParkingSpot']])).toBe(true);
    expect(brokerCountExact({ ...onlyParking, within: new Map([[PS, [AREA]]]) }, false, count)).toBe(false);
    expect(brokerCountExact({ counters: [], auditLevel: 'normal' }, true, count)).toBe(true);
  });

  it('count=true is refused on entity lists where they are not, and left alone elsewhere', () => {
    const ob = run({ types: [PS] }).obligations;
    for (const op of ['entity.query', 'temporal.query', 'batch.query', 'temporal.batch.query'] as const) {
      expect(() => checkCountable(op, count, ob, false)).toThrow(expect.objectContaining({ status: 403, reason: 'count_not_exact' }));
    }
    expect(() => checkCountable('entity.query', [['count', 'false']], ob, false)).not.toThrow();
    expect(() => checkCountable('subscription.list', count, ob, false)).not.toThrow();
  });

  it('a count next to a hidden entity is never shown', () => {
    expect(() => checkShownCount('5', 1)).toThrow(expect.objectContaining({ reason: 'count_not_exact' }));
    expect(() => checkShownCount('5', 0)).not.toThrow();
    expect(() => checkShownCount(undefined, 3)).not.toThrow();
  });
});
