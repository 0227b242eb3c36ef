import { describe, expect, it } from 'vitest';
import { filterResponse, type FilterResponseInput } from '../../src/filter/index.js';
import { allIn, MAX_POINTS, IRI, POINT_IN, POINT_OUT, allExcept, makeExpander, only, snapshot, viewOf } from './filter-fixtures.js';

const expand = makeExpander();

function feature(id: string, type: string, location: object, extra: Record<string, unknown> = {}) {
  return {
    id,
    type: 'Feature',
    geometry: location,
    properties: {
      type,
      status: { type: 'Property', value: 'free' },
      location: { type: 'GeoProperty', value: location },
      name: { type: 'Property', value: `Spot ${id}` },
      ...extra,
    },
  };
}

function run(body: unknown, view: FilterResponseInput['view'], more: Partial<FilterResponseInput> = {}) {
  return filterResponse({ operation: 'entity.query', body, view, expand, format: 'geojson', options: [], ...more });
}

describe('GeoJSON Feature', () => {
  it('keeps geometry when the geometry property is permitted', () => {
    const f = feature('urn:1', 'ParkingSpot', POINT_IN);
    const result = run(f, viewOf([[IRI.ParkingSpot, only(IRI.status, IRI.location)]]), { operation: 'entity.retrieve' });
    expect(result.body).toEqual({
      id: 'urn:1', type: 'Feature', geometry: POINT_IN,
      properties: { type: 'ParkingSpot', status: f.properties.status, location: f.properties.location },
    });
    expect(result.removedAttributes).toBe(1);
  });

  it('nulls geometry and removes the property when location is forbidden', () => {
    const f = { ...feature('urn:1', 'ParkingSpot', POINT_IN), bbox: [2.5, 2.5, 2.5, 2.5], '@context': 'https://example.org/ctx.jsonld' };
    const before = snapshot(f);
    const result = run(f, viewOf([[IRI.ParkingSpot, allExcept(IRI.location)]]), { operation: 'entity.retrieve' });
    expect(result.body).toEqual({
      id: 'urn:1', type: 'Feature', geometry: null, '@context': 'https://example.org/ctx.jsonld',
      properties: { type: 'ParkingSpot', status: f.properties.status, name: f.properties.name },
    });
    expect(f).toEqual(before);
  });

  it('takes the geometry from geometryProperty', () => {
    const area = { type: 'Polygon', coordinates: [[[0, 0], [1, 0], [1, 1], [0, 0]]] };
    const f = { ...feature('urn:1', 'ParkingSpot', area), properties: { ...feature('urn:1', 'ParkingSpot', POINT_IN).properties, status: { type: 'GeoProperty', value: area } } };
    const hidden = run(f, viewOf([[IRI.ParkingSpot, only(IRI.location, IRI.name)]]), { operation: 'entity.retrieve', geometryProperty: 'status' });
    expect((hidden.body as { geometry: unknown }).geometry).toBeNull();
    const shown = run(f, viewOf([[IRI.ParkingSpot, only(IRI.status)]]), { operation: 'entity.retrieve', geometryProperty: 'sdm:status' });
    expect((shown.body as { geometry: unknown }).geometry).toBe(area);
  });

  it('removes members outside the Feature shape', () => {
    const f = { ...feature('urn:1', 'ParkingSpot', POINT_IN), secret: 'x' };
    const result = run(f, viewOf([[IRI.ParkingSpot, allExcept()]]), { operation: 'entity.retrieve' });
    expect(result.body).not.toHaveProperty('secret');
  });
});

describe('GeoJSON FeatureCollection', () => {
  const collection = {
    type: 'FeatureCollection',
    '@context': ['https://example.org/ctx.jsonld'],
    bbox: [0, 0, 20, 20],
    features: [
      feature('urn:1', 'ParkingSpot', POINT_IN),
      feature('urn:2', 'Vehicle', POINT_IN),
      feature('urn:3', 'ParkingSpot', POINT_OUT),
    ],
  };

  it('drops features of types outside the view and counts them', () => {
    const before = snapshot(collection);
    const result = run(collection, viewOf([[IRI.ParkingSpot, only(IRI.status)]]));
    const body = result.body as { features: Array<{ id: string; geometry: unknown; properties: object }> };
    expect(Object.keys(body)).toEqual(['type', '@context', 'features']);
    expect(body.features.map((f) => f.id)).toEqual(['urn:1', 'urn:3']);
    expect(body.features.every((f) => f.geometry === null)).toBe(true);
    expect(result.droppedEntities).toBe(1);
    expect(collection).toEqual(before);
  });

  it('applies the spatial constraint, reading geometry when properties lack the location', () => {
    const view = viewOf([[IRI.ParkingSpot, only(IRI.status)]]);
    const result = run(collection, view, { ...allIn(view), maxGeometryPoints: MAX_POINTS });
    expect((result.body as { features: Array<{ id: string }> }).features.map((f) => f.id)).toEqual(['urn:1']);
    expect(result.droppedEntities).toBe(2);

    const bare = { type: 'FeatureCollection', features: [{ id: 'urn:9', type: 'Feature', geometry: POINT_OUT, properties: { type: 'ParkingSpot' } }] };
    const whole = viewOf([[IRI.ParkingSpot, allExcept()]]);
    expect(run(bare, whole, { ...allIn(whole), maxGeometryPoints: MAX_POINTS }).droppedEntities).toBe(1);
  });

  it('is recognised by its shape when no format is given', () => {
    const result = run(collection, viewOf([[IRI.ParkingSpot, allExcept()]]), { format: undefined });
    expect((result.body as { features: unknown[] }).features).toHaveLength(2);
  });

  it('refuses an entity body when GeoJSON was asked for', () => {
    expect(() => run({ id: 'urn:1', type: 'ParkingSpot' }, viewOf([]), { operation: 'entity.retrieve' }))
      .toThrow(expect.objectContaining({ reason: 'unfilterable_response' }));
    expect(() => run([{ id: 'urn:1', type: 'ParkingSpot' }], viewOf([]))).toThrow(expect.objectContaining({ reason: 'unfilterable_response' }));
    expect(() => run({ type: 'FeatureCollection', features: [{ id: 'urn:1', type: 'ParkingSpot' }] }, viewOf([])))
      .toThrow(expect.objectContaining({ reason: 'unfilterable_response' }));
  });
});
