import { describe, expect, it } from 'vitest';
import { filterEntities, filterEntity } from '../../src/filter/index.js';
import { MimtrustError } from '../../src/errors/index.js';
import {
  DEFAULT_VOCAB, LIMIT, IRI, allIn, NGSI_LD, POINT_OUT, allExcept, makeExpander, only, parkingSpot, snapshot, viewOf,
} from './filter-fixtures.js';

const expand = makeExpander();

function kept(result: ReturnType<typeof filterEntity>): Record<string, unknown> {
  if ('dropped' in result) throw new Error('entity was dropped');
  return result.entity;
}

describe('filterEntity: the same entity in each representation', () => {
  const forms = parkingSpot();
  const cases: Array<{ view: string; scope: ReturnType<typeof only>; keys: string[]; removed: number }> = [
    { view: 'status and name only', scope: only(IRI.status, IRI.name), keys: ['id', 'type', 'status', 'name'], removed: 2 },
    { view: 'all but owner', scope: allExcept(IRI.owner), keys: ['id', 'type', 'status', 'location', 'name'], removed: 1 },
    { view: 'all but location and status', scope: allExcept(IRI.location, IRI.status), keys: ['id', 'type', 'name', 'owner'], removed: 2 },
    { view: 'no attribute', scope: only(), keys: ['id', 'type'], removed: 4 },
  ];
  for (const representation of ['normalized', 'concise', 'keyValues'] as const) {
    for (const c of cases) {
      it(`${representation}: ${c.view}`, () => {
        const entity = forms[representation];
        const before = snapshot(entity);
        const options = representation === 'keyValues' ? ['keyValues'] : representation === 'concise' ? ['concise'] : [];
        const result = filterEntity(entity, viewOf([[IRI.ParkingSpot, c.scope]]), expand, undefined, options);
        const out = kept(result);
        const systemKeys = representation === 'normalized' ? ['createdAt', 'modifiedAt'] : [];
        expect(Object.keys(out).sort()).toEqual([...c.keys, ...systemKeys].sort());
        for (const key of Object.keys(out)) expect(out[key]).toBe((entity as Record<string, unknown>)[key]);
        expect('removedAttributes' in result && result.removedAttributes).toBe(c.removed);
        expect(entity).toEqual(before);
      });
    }
  }
});

describe('filterEntity: names', () => {
  it('compares an alias by the IRI it stands for', () => {
    const entity = { id: 'urn:x', type: 'ParkingSpot', nombre: { type: 'Property', value: 'Plaza 1' }, owner: 'x' };
    const out = kept(filterEntity(entity, viewOf([[IRI.ParkingSpot, only(IRI.name)]]), expand));
    expect(out).toEqual({ id: 'urn:x', type: 'ParkingSpot', nombre: { type: 'Property', value: 'Plaza 1' } });
  });

  it('reads keys and types given as full IRIs or CURIEs', () => {
    const entity = {
      id: 'urn:x',
      type: IRI.ParkingSpot,
      [IRI.status]: { type: 'Property', value: 'free' },
      'schema:name': { type: 'Property', value: 'Spot' },
      [IRI.owner]: { type: 'Relationship', object: 'urn:p' },
    };
    const out = kept(filterEntity(entity, viewOf([[IRI.ParkingSpot, only(IRI.status, IRI.name)]]), expand));
    expect(Object.keys(out)).toEqual(['id', 'type', IRI.status, 'schema:name']);
  });

  it('expands names through the expander passed in', () => {
    const counting = makeExpander();
    filterEntity(parkingSpot().normalized, viewOf([[IRI.ParkingSpot, only(IRI.status)]]), counting);
    // type, location (for the spatial check) and the four attributes; system members are not expanded.
    expect(counting.calls).toBe(6);
  });

  it('keeps id, type, @context and system attributes whatever the view', () => {
    const entity = {
      id: 'urn:x', type: 'ParkingSpot', '@context': ['https://example.org/ctx.jsonld'],
      createdAt: 'a', modifiedAt: 'b', deletedAt: 'c', status: 'free',
    };
    expect(kept(filterEntity(entity, viewOf([[IRI.ParkingSpot, only()]]), expand))).toEqual({
      id: 'urn:x', type: 'ParkingSpot', '@context': ['https://example.org/ctx.jsonld'], createdAt: 'a', modifiedAt: 'b', deletedAt: 'c',
    });
  });

  it('governs scope like an attribute', () => {
    const entity = { id: 'urn:x', type: 'ParkingSpot', scope: ['/Madrid/Centro'], status: 'free' };
    expect(kept(filterEntity(entity, viewOf([[IRI.ParkingSpot, only(IRI.status)]]), expand))).toEqual({ id: 'urn:x', type: 'ParkingSpot', status: 'free' });
    expect(kept(filterEntity(entity, viewOf([[IRI.ParkingSpot, only(IRI.scope)]]), expand))).toEqual({ id: 'urn:x', type: 'ParkingSpot', scope: ['/Madrid/Centro'] });
  });

  it('never writes a __proto__ member into the output', () => {
    const entity = JSON.parse('{"id":"urn:x","type":"ParkingSpot","__proto__":{"polluted":true},"status":"free"}') as object;
    const out = kept(filterEntity(entity, viewOf([[IRI.ParkingSpot, allExcept()]]), expand));
    expect(Object.getPrototypeOf(out)).toBe(Object.prototype);
    expect(Object.keys(out)).toEqual(['id', 'type', 'status']);
  });
});

describe('filterEntity: types', () => {
  const multi = {
    id: 'urn:x',
    type: ['ParkingSpot', 'Sensor'],
    status: { type: 'Property', value: 'free' },
    temperature: { type: 'Property', value: 21 },
    battery: { type: 'Property', value: 0.5 },
    owner: { type: 'Relationship', object: 'urn:p' },
  };

  it('allows the union of the scopes of the types in the view', () => {
    const view = viewOf([[IRI.ParkingSpot, only(IRI.status)], [IRI.Sensor, only(IRI.temperature)]]);
    expect(Object.keys(kept(filterEntity(multi, view, expand)))).toEqual(['id', 'type', 'status', 'temperature']);
  });

  it('uses only the types present in the view', () => {
    const view = viewOf([[IRI.Sensor, allExcept(IRI.owner)]]);
    expect(Object.keys(kept(filterEntity(multi, view, expand)))).toEqual(['id', 'type', 'status', 'temperature', 'battery']);
  });

  it('drops an entity none of whose types is in the view', () => {
    expect(filterEntity(multi, viewOf([[IRI.Vehicle, allExcept()]]), expand)).toEqual({ dropped: true });
  });

  it('drops an entity without a readable type', () => {
    const view = viewOf([[IRI.ParkingSpot, allExcept()]]);
    expect(filterEntity({ id: 'urn:x', status: 'free' }, view, expand)).toEqual({ dropped: true });
    expect(filterEntity({ id: 'urn:x', type: ['ParkingSpot', 7] }, view, expand)).toEqual({ dropped: true });
  });

  it('refuses a value that is not an entity object', () => {
    expect(() => filterEntity([], viewOf([]), expand)).toThrow(MimtrustError);
  });
});

describe('filterEntity: multi-attributes and sub-attributes', () => {
  it('keeps or removes all instances of a multi-attribute together, reusing the array', () => {
    const temperature = [
      { type: 'Property', value: 20, datasetId: 'urn:ds:a' },
      { type: 'Property', value: 21, datasetId: 'urn:ds:b', unitCode: 'CEL' },
    ];
    const entity = { id: 'urn:x', type: 'Sensor', temperature, battery: [{ type: 'Property', value: 1, datasetId: 'urn:ds:a' }] };
    const out = kept(filterEntity(entity, viewOf([[IRI.Sensor, only(IRI.temperature)]]), expand));
    expect(out['temperature']).toBe(temperature);
    expect(out).not.toHaveProperty('battery');
  });

  it('keeps sub-attributes of a permitted attribute as they are', () => {
    const entity = parkingSpot().normalized;
    const out = kept(filterEntity(entity, viewOf([[IRI.ParkingSpot, only(IRI.status)]]), expand));
    expect(out['status']).toEqual({ type: 'Property', value: 'free', observedAt: '2024-05-01T10:00:00Z', reliability: { type: 'Property', value: 0.9 } });
  });
});

describe('filterEntity: entities inlined by join', () => {
  const person = { id: 'urn:ngsi-ld:Person:alice', type: 'Person', name: { type: 'Property', value: 'Alice' } };
  const spot = { id: 'urn:x', type: 'ParkingSpot', owner: { type: 'Relationship', object: person.id, entity: person } };

  it('removes an inlined entity of a type outside the view, keeping the reference', () => {
    const entity = snapshot(spot);
    const out = kept(filterEntity(entity, viewOf([[IRI.ParkingSpot, allExcept()]]), expand));
    expect(out['owner']).toEqual({ type: 'Relationship', object: person.id });
    expect(entity).toEqual(spot);
  });

  it('filters an inlined entity by its own type', () => {
    const view = viewOf([[IRI.ParkingSpot, allExcept()], [`${DEFAULT_VOCAB}Person`, only()]]);
    const out = kept(filterEntity(spot, view, expand));
    expect(out['owner']).toEqual({ type: 'Relationship', object: person.id, entity: { id: person.id, type: 'Person' } });
  });

  it('filters entityList of a ListRelationship and inlined entities in keyValues', () => {
    const list = { id: 'urn:x', type: 'ParkingSpot', owner: { type: 'ListRelationship', objectList: [{ object: person.id }], entityList: [person] } };
    expect(kept(filterEntity(list, viewOf([[IRI.ParkingSpot, allExcept()]]), expand))['owner'])
      .toEqual({ type: 'ListRelationship', objectList: [{ object: person.id }], entityList: [] });
    const kv = { id: 'urn:x', type: 'ParkingSpot', owner: { id: person.id, type: 'Person', name: 'Alice' } };
    expect(kept(filterEntity(kv, viewOf([[IRI.ParkingSpot, allExcept()]]), expand, undefined, ['keyValues']))['owner']).toBe(person.id);
  });
});

describe('filterEntity: spatial constraint', () => {
  const view = viewOf([[IRI.ParkingSpot, only(IRI.status)]]);

  for (const representation of ['normalized', 'concise', 'keyValues'] as const) {
    it(`${representation}: shows an entity inside the area even when location itself is hidden`, () => {
      const options = representation === 'keyValues' ? ['keyValues'] : [];
      const out = kept(filterEntity(parkingSpot()[representation], view, expand, LIMIT, options, allIn(view)));
      expect(out).not.toHaveProperty('location');
      expect(filterEntity(parkingSpot(POINT_OUT)[representation], view, expand, LIMIT, options, allIn(view))).toEqual({ dropped: true });
    });
  }

  it('drops an entity without a location', () => {
    expect(filterEntity({ id: 'urn:x', type: 'ParkingSpot', status: 'free' }, view, expand, LIMIT, [], allIn(view))).toEqual({ dropped: true });
  });

  it('finds the location under a full IRI key', () => {
    const entity = { id: 'urn:x', type: 'ParkingSpot', [`${NGSI_LD}location`]: { type: 'GeoProperty', value: POINT_OUT } };
    expect(filterEntity(entity, view, expand, LIMIT, [], allIn(view))).toEqual({ dropped: true });
  });

  it('requires every instance of a multi-attribute location inside', () => {
    const entity = {
      id: 'urn:x', type: 'ParkingSpot',
      location: [
        { type: 'GeoProperty', value: { type: 'Point', coordinates: [1, 1] }, datasetId: 'urn:a' },
        { type: 'GeoProperty', value: POINT_OUT, datasetId: 'urn:b' },
      ],
    };
    expect(filterEntity(entity, view, expand, LIMIT, [], allIn(view))).toEqual({ dropped: true });
  });

  it('in keyValues, a value that is not a geometry is no location', () => {
    const entity = { id: 'urn:x', type: 'ParkingSpot', location: { value: { type: 'Point', coordinates: [1, 1] } } };
    expect(filterEntity(entity, view, expand, LIMIT, ['keyValues'], allIn(view))).toEqual({ dropped: true });
    expect(kept(filterEntity(entity, view, expand, LIMIT, [], allIn(view)))).toEqual({ id: 'urn:x', type: 'ParkingSpot' });
  });
});

describe('filterEntities', () => {
  it('drops and counts entities of types outside the view and keeps order', () => {
    const items = [
      { id: 'urn:1', type: 'ParkingSpot', status: 'free', owner: 'a' },
      { id: 'urn:2', type: 'Vehicle', speed: 3 },
      { id: 'urn:3', type: 'ParkingSpot', status: 'taken', owner: 'b' },
      { id: 'urn:4', type: 'Person', name: 'x' },
    ];
    const before = snapshot(items);
    const result = filterEntities(items, viewOf([[IRI.ParkingSpot, only(IRI.status)]]), expand);
    expect(result).toEqual({
      items: [{ id: 'urn:1', type: 'ParkingSpot', status: 'free' }, { id: 'urn:3', type: 'ParkingSpot', status: 'taken' }],
      dropped: 2,
      removedAttributes: 2,
    });
    expect(items).toEqual(before);
  });

  it('refuses a list with a member that is not an object', () => {
    expect(() => filterEntities([{ id: 'urn:1', type: 'ParkingSpot' }, 'urn:2'], viewOf([]), expand)).toThrow(
      expect.objectContaining({ code: 'INTERNAL', reason: 'unfilterable_response' }),
    );
    expect(() => filterEntities({}, viewOf([]), expand)).toThrow(MimtrustError);
  });
});
