import { describe, expect, it } from 'vitest';
import { filterResponse } from '../../src/filter/index.js';
import { allIn, MAX_POINTS, IRI, POINT_OUT, allExcept, makeExpander, only, snapshot, viewOf } from './filter-fixtures.js';

const expand = makeExpander();
const view = viewOf([[IRI.ParkingSpot, only(IRI.status)], [IRI.Vehicle, allExcept(IRI.owner)]]);

const normalizedTemporal = {
  id: 'urn:ngsi-ld:ParkingSpot:1',
  type: 'ParkingSpot',
  status: [
    { type: 'Property', value: 'free', observedAt: '2024-05-01T10:00:00Z', instanceId: 'urn:i:1' },
    { type: 'Property', value: 'taken', observedAt: '2024-05-01T11:00:00Z', instanceId: 'urn:i:2' },
  ],
  location: [
    { type: 'GeoProperty', value: { type: 'Point', coordinates: [1, 1] }, observedAt: '2024-05-01T10:00:00Z' },
    { type: 'GeoProperty', value: { type: 'Point', coordinates: [2, 2] }, observedAt: '2024-05-01T11:00:00Z' },
  ],
  owner: { type: 'Relationship', object: 'urn:p', observedAt: '2024-05-01T10:00:00Z' },
};

const temporalValues = {
  id: 'urn:ngsi-ld:ParkingSpot:1',
  type: 'ParkingSpot',
  status: { type: 'Property', values: [['free', '2024-05-01T10:00:00Z'], ['taken', '2024-05-01T11:00:00Z']] },
  location: { type: 'GeoProperty', values: [[{ type: 'Point', coordinates: [1, 1] }, '2024-05-01T10:00:00Z'], [POINT_OUT, '2024-05-01T11:00:00Z']] },
  name: { type: 'Property', values: [['Spot', '2024-05-01T10:00:00Z']] },
};

const aggregated = {
  id: 'urn:ngsi-ld:Vehicle:1',
  type: 'Vehicle',
  speed: { type: 'Property', avg: [[50, '2024-05-01T00:00:00Z', '2024-05-02T00:00:00Z']], max: [[90, '2024-05-01T00:00:00Z', '2024-05-02T00:00:00Z']] },
  owner: { type: 'Relationship', distinctCount: [[1, '2024-05-01T00:00:00Z', '2024-05-02T00:00:00Z']] },
};

describe('temporal representations', () => {
  it('filters normalized temporal entities attribute by attribute, reusing instance arrays', () => {
    const result = filterResponse({ operation: 'temporal.retrieve', body: normalizedTemporal, view, expand, options: [] });
    expect(result.body).toEqual({ id: normalizedTemporal.id, type: 'ParkingSpot', status: normalizedTemporal.status });
    expect((result.body as { status: unknown }).status).toBe(normalizedTemporal.status);
    expect(result.removedAttributes).toBe(2);
  });

  it('filters temporalValues and aggregatedValues in an entity array', () => {
    const body = [temporalValues, aggregated, { id: 'urn:x', type: 'Person', name: { type: 'Property', values: [] } }];
    const before = snapshot(body);
    const result = filterResponse({ operation: 'temporal.query', body, view, expand, options: ['temporalValues'] });
    expect(result.body).toEqual([
      { id: temporalValues.id, type: 'ParkingSpot', status: temporalValues.status },
      { id: aggregated.id, type: 'Vehicle', speed: aggregated.speed },
    ]);
    expect(result.droppedEntities).toBe(1);
    expect(body).toEqual(before);
  });

  it('under a spatial constraint, requires every location instance inside', () => {
    const normalized = filterResponse({ operation: 'temporal.batch.query', body: [normalizedTemporal], view, expand, ...allIn(view), maxGeometryPoints: MAX_POINTS, options: [] });
    expect(normalized.droppedEntities).toBe(0);
    const values = filterResponse({ operation: 'temporal.query', body: [temporalValues], view, expand, ...allIn(view), maxGeometryPoints: MAX_POINTS, options: ['temporalValues'] });
    expect(values.body).toEqual([]);
    expect(values.droppedEntities).toBe(1);
    // Aggregated locations carry no geometry to check: the entity cannot be placed.
    const agg = filterResponse({ operation: 'temporal.query', body: [aggregated], view, expand, ...allIn(view), maxGeometryPoints: MAX_POINTS, options: ['aggregatedValues'] });
    expect(agg.droppedEntities).toBe(1);
  });
});
