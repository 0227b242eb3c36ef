/**
 * The spatial obligation on every geographic attribute, in each representation: the
 * entity is placed by its location; any other attribute holding a geometry is shown only
 * when all of it lies inside the area.
 */
import { describe, expect, it } from 'vitest';
import { subscribe, unsubscribe } from 'node:diagnostics_channel';
import { filterEntity, filterResponse, filterResponseInSlices, SLICE_UNITS, type FilterResponseInput } from '../../src/filter/index.js';
import { LIMIT, IRI, allIn, MAX_POINTS, POINT_IN, POINT_OUT, allExcept, makeExpander, only, viewOf } from './filter-fixtures.js';

const expand = makeExpander();
const view = viewOf([[IRI.ParkingSpot, allExcept()]]);
const T = '2024-05-01T10:00:00Z';

const LINE_OUT = { type: 'LineString', coordinates: [[5, 5], [15, 5]] };
const SQUARE_IN = { type: 'Polygon', coordinates: [[[1, 1], [3, 1], [3, 3], [1, 3], [1, 1]]] };
const SQUARE_ACROSS = { type: 'Polygon', coordinates: [[[8, 8], [12, 8], [12, 12], [8, 12], [8, 8]]] };

function shown(entity: object, options: string[] = [], limit = LIMIT) {
  const result = filterEntity(entity, view, expand, limit, options, allIn(view));
  return 'dropped' in result ? undefined : result;
}

describe('normalized', () => {
  const entity = {
    id: 'urn:x', type: 'ParkingSpot',
    location: { type: 'GeoProperty', value: POINT_IN },
    observationSpace: { type: 'GeoProperty', value: SQUARE_ACROSS },
    operationSpace: { type: 'GeoProperty', value: SQUARE_IN },
    route: { type: 'GeoProperty', value: LINE_OUT, observedAt: T },
    // A Property holding a geometry reveals a place all the same.
    seenAt: { type: 'Property', value: POINT_OUT },
    // A sub-attribute is part of its attribute.
    status: { type: 'Property', value: 'free', where: { type: 'GeoProperty', value: POINT_OUT } },
    name: { type: 'Property', value: 'Spot', where: { type: 'GeoProperty', value: POINT_IN } },
    // A geometry nested inside a JSON value is data.
    notes: { type: 'Property', value: { nested: POINT_OUT } },
  };

  it('removes each geographic attribute not entirely inside and keeps the rest', () => {
    const out = shown(entity);
    expect(Object.keys(out!.entity)).toEqual(['id', 'type', 'location', 'operationSpace', 'name', 'notes']);
    expect(out!.removedAttributes).toBe(4);
  });

  it('hides the entity when its location is outside, whatever its other geometries', () => {
    expect(shown({ ...entity, location: { type: 'GeoProperty', value: POINT_OUT } })).toBeUndefined();
    const { location: _, ...unplaced } = entity;
    expect(shown(unplaced)).toBeUndefined();
  });

  it('requires every instance of a multi-attribute, and every temporal value, inside', () => {
    const instances = [{ type: 'GeoProperty', value: SQUARE_IN, datasetId: 'urn:a' }, { type: 'GeoProperty', value: POINT_OUT, datasetId: 'urn:b' }];
    expect(shown({ ...entity, operationSpace: instances })!.entity).not.toHaveProperty('operationSpace');
    expect(shown({ ...entity, operationSpace: instances.slice(0, 1) })!.entity).toHaveProperty('operationSpace');
    const values = { type: 'GeoProperty', values: [[SQUARE_IN, T], [POINT_OUT, T]] };
    expect(shown({ ...entity, operationSpace: values }, ['temporalValues'])!.entity).not.toHaveProperty('operationSpace');
    expect(shown({ ...entity, operationSpace: { ...values, values: [[SQUARE_IN, T]] } }, ['temporalValues'])!.entity).toHaveProperty('operationSpace');
  });

  it('removes a declared GeoProperty whose value cannot be read, and hides an entity whose location cannot', () => {
    for (const broken of [{ type: 'GeoProperty', value: 'POINT(1 1)' }, { type: 'GeoProperty' }, { type: 'GeoProperty', values: [['x', T]] },
      { type: 'GeoProperty', value: { type: 'Point', coordinates: [200, 1] } }]) {
      expect(shown({ ...entity, operationSpace: broken })!.entity).not.toHaveProperty('operationSpace');
      expect(shown({ ...entity, location: broken })).toBeUndefined();
    }
  });

  it('removes an attribute nested too deep to be read to the end', () => {
    let deep: Record<string, unknown> = { type: 'Property', value: 1 };
    for (let i = 0; i < 20; i++) deep = { type: 'Property', value: i, sub: deep };
    expect(shown({ ...entity, deep })!.entity).not.toHaveProperty('deep');
  });

  it('does not check what the view does not show', () => {
    const hidden = viewOf([[IRI.ParkingSpot, only()]]);
    const result = filterEntity(entity, hidden, expand, LIMIT, [], allIn(hidden));
    expect(result).toEqual({ entity: { id: 'urn:x', type: 'ParkingSpot' }, removedAttributes: Object.keys(entity).length - 2 });
  });
});

describe('concise', () => {
  const entity = {
    id: 'urn:x', type: 'ParkingSpot',
    location: POINT_IN,
    observationSpace: SQUARE_ACROSS,
    operationSpace: { value: SQUARE_IN, observedAt: T },
    route: { value: LINE_OUT, observedAt: T },
    status: { value: 'free', where: POINT_OUT },
    name: 'Spot',
  };

  it('recognises bare geometries, values with sub-attributes, and geometries among sub-attributes', () => {
    expect(Object.keys(shown(entity, ['concise'])!.entity)).toEqual(['id', 'type', 'location', 'operationSpace', 'name']);
    expect(shown({ ...entity, location: { value: POINT_OUT, observedAt: T } }, ['concise'])).toBeUndefined();
  });
});

describe('keyValues', () => {
  const entity = {
    id: 'urn:x', type: 'ParkingSpot',
    location: POINT_IN,
    observationSpace: SQUARE_ACROSS,
    operationSpace: SQUARE_IN,
    route: LINE_OUT,
    // A list of geometries is as geographic as one.
    stops: [POINT_IN, POINT_OUT],
    // Without attribute types, only a GeoJSON geometry itself is recognised: other objects are data.
    notes: { value: POINT_OUT },
    status: 'free',
  };

  it('recognises a value by its GeoJSON geometry type', () => {
    for (const options of [['keyValues'], ['simplified']]) {
      expect(Object.keys(shown(entity, options)!.entity)).toEqual(['id', 'type', 'location', 'operationSpace', 'notes', 'status']);
    }
  });

  it('places the entity only by a location that is a geometry', () => {
    expect(shown({ ...entity, location: { value: POINT_IN } }, ['keyValues'])).toBeUndefined();
    expect(shown({ ...entity, location: [POINT_IN, { type: 'Point', coordinates: [3, 3] }] }, ['keyValues'])).toBeDefined();
  });
});

describe('the geometry size limit', () => {
  const small = { maxGeometryPoints: 3 };
  const line = (n: number) => ({ type: 'LineString', coordinates: Array.from({ length: n }, (_, i) => [1 + i / n, 5]) });

  it('hides an entity whose location has more positions than the limit, even inside', () => {
    expect(shown({ id: 'urn:x', type: 'ParkingSpot', location: line(3) }, ['keyValues'], small)).toBeDefined();
    expect(shown({ id: 'urn:x', type: 'ParkingSpot', location: line(4) }, ['keyValues'], small)).toBeUndefined();
  });

  it('removes another geographic attribute with more positions than the limit', () => {
    const out = shown({ id: 'urn:x', type: 'ParkingSpot', location: POINT_IN, route: line(4), trail: line(3) }, ['keyValues'], small);
    expect(Object.keys(out!.entity)).toEqual(['id', 'type', 'location', 'trail']);
  });
});

describe('GeoJSON', () => {
  const feature = {
    id: 'urn:x', type: 'Feature', geometry: SQUARE_ACROSS, bbox: [8, 8, 12, 12],
    properties: { type: 'ParkingSpot', location: { type: 'GeoProperty', value: POINT_IN }, observationSpace: { type: 'GeoProperty', value: SQUARE_ACROSS } },
  };
  const run = (body: unknown, geometryProperty: string) =>
    filterResponse({ operation: 'entity.retrieve', body, view, expand, format: 'geojson', geometryProperty, ...allIn(view), maxGeometryPoints: MAX_POINTS, options: [] });

  it('shows no geometry (nor bbox) copied from a property outside the area', () => {
    expect(run(feature, 'observationSpace').body).toEqual({
      id: 'urn:x', type: 'Feature', geometry: null, properties: { type: 'ParkingSpot', location: { type: 'GeoProperty', value: POINT_IN } },
    });
  });

  it('shows a geometry that lies inside', () => {
    const inside = { ...feature, geometry: SQUARE_IN, properties: { ...feature.properties, observationSpace: { type: 'GeoProperty', value: SQUARE_IN } } };
    expect(run(inside, 'observationSpace').body).toEqual(inside);
  });
});

describe('filterResponseInSlices', () => {
  const body = Array.from({ length: 40 }, (_, i) => ({
    id: `urn:${i}`, type: 'ParkingSpot',
    location: { type: 'GeoProperty', value: { type: 'LineString', coordinates: Array.from({ length: 1000 }, (_, k) => [1 + k / 200, 1 + (i % 8)]) } },
    route: { type: 'GeoProperty', value: i % 3 === 0 ? LINE_OUT : SQUARE_IN },
  }));
  const input: FilterResponseInput = { operation: 'entity.query', body, view, expand, ...allIn(view), maxGeometryPoints: MAX_POINTS, options: [] };

  it('answers as filterResponse does, in slices announced on the diagnostics channel', async () => {
    const events: Array<{ event: string; slices: number }> = [];
    const listener = (m: unknown): void => { events.push(m as { event: string; slices: number }); };
    subscribe('mimtrust:filter', listener);
    try {
      expect(await filterResponseInSlices(input)).toEqual(filterResponse(input));
    } finally {
      unsubscribe('mimtrust:filter', listener);
    }
    // 40 lines of 1,000 positions and 40 small routes: at least 40,000 units of work.
    const slices = Math.floor(40_000 / SLICE_UNITS);
    expect(events.length).toBeGreaterThan(slices);
    expect(events.at(-1)).toEqual({ event: 'end', operation: 'entity.query', slices: events.length - 1 });
    expect(filterResponse(input).removedAttributes).toBe(14);
  });
});
