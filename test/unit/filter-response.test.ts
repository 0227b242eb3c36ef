import { describe, expect, it } from 'vitest';
import { filterResponse, type FilterResponseInput } from '../../src/filter/index.js';
import type { Operation } from '../../src/ngsi/types.js';
import { allIn, MAX_POINTS, DEFAULT_VOCAB, IRI, POINT_OUT, allExcept, makeExpander, only, parkingSpot, snapshot, viewOf } from './filter-fixtures.js';

const expand = makeExpander();
const view = viewOf([[IRI.ParkingSpot, only(IRI.status, IRI.name)]]);
const run = (operation: Operation, body: unknown, more: Partial<FilterResponseInput> = {}) =>
  filterResponse({ operation, body, view, expand, options: [], ...more });

describe('filterResponse: entities', () => {
  it('filters query results and reports what it removed', () => {
    const body = [parkingSpot().normalized, { id: 'urn:v', type: 'Vehicle' }, parkingSpot(POINT_OUT).normalized];
    const before = snapshot(body);
    for (const operation of ['entity.query', 'batch.query'] as const) {
      const result = run(operation, body);
      expect((result.body as object[]).map((e) => Object.keys(e))).toEqual([
        ['id', 'type', 'status', 'name', 'createdAt', 'modifiedAt'],
        ['id', 'type', 'status', 'name', 'createdAt', 'modifiedAt'],
      ]);
      expect(result.droppedEntities).toBe(1);
      expect(result.removedAttributes).toBe(4);
    }
    expect(body).toEqual(before);
  });

  it('applies within to query results', () => {
    const body = [parkingSpot().keyValues, parkingSpot(POINT_OUT).keyValues];
    const result = run('entity.query', body, { ...allIn(view), maxGeometryPoints: MAX_POINTS, options: ['keyValues'] });
    expect(result.body).toEqual([{ id: 'urn:ngsi-ld:ParkingSpot:1', type: 'ParkingSpot', status: 'free', name: parkingSpot().keyValues.name }]);
    expect(result.droppedEntities).toBe(1);
  });

  it('answers not found for a retrieved entity the view hides', () => {
    expect(() => run('entity.retrieve', { id: 'urn:v', type: 'Vehicle', speed: 3 }))
      .toThrow(expect.objectContaining({ code: 'NOT_FOUND', reason: 'filtered_out' }));
    expect(() => run('entity.retrieve', parkingSpot(POINT_OUT).concise, { ...allIn(view), maxGeometryPoints: MAX_POINTS }))
      .toThrow(expect.objectContaining({ code: 'NOT_FOUND' }));
  });

  it('filters a retrieve answered with an array (join=flat)', () => {
    const result = run('entity.retrieve', [parkingSpot().concise, { id: 'urn:ngsi-ld:Person:alice', type: 'Person', name: 'Alice' }]);
    expect(result.body).toEqual([{ id: 'urn:ngsi-ld:ParkingSpot:1', type: 'ParkingSpot', status: parkingSpot().concise.status, name: parkingSpot().concise.name }]);
    expect(result.droppedEntities).toBe(1);
  });

  it('refuses bodies of unknown shape for filtered operations', () => {
    const cases: Array<[Operation, unknown]> = [
      ['entity.query', { id: 'urn:x', type: 'ParkingSpot' }],
      ['entity.query', 'urn:x'],
      ['entity.query', [1, 2]],
      ['entity.retrieve', 42],
      ['temporal.query', { entities: [] }],
    ];
    for (const [operation, body] of cases) {
      expect(() => run(operation, body)).toThrow(expect.objectContaining({ code: 'INTERNAL', reason: 'unfilterable_response' }));
    }
  });

  it('refuses an operation it does not know', () => {
    expect(() => run('entity.peek' as Operation, [])).toThrow(expect.objectContaining({ reason: 'unfilterable_response' }));
    expect(() => run('toString' as Operation, [])).toThrow(expect.objectContaining({ reason: 'unfilterable_response' }));
  });

  it('refuses a spatial constraint it is given no geometry size limit for', () => {
    expect(() => run('entity.query', [], allIn(view)))
      .toThrow(expect.objectContaining({ code: 'INTERNAL', reason: 'invalid_spatial_constraint' }));
  });
});

describe('filterResponse: operations without entity data', () => {
  it('passes batch results and other bodies through unchanged', () => {
    const batch = { success: ['urn:1', 'urn:2'], errors: [{ entityId: 'urn:3', error: { type: 'https://uri.etsi.org/ngsi-ld/errors/BadRequestData', title: 'x' } }] };
    for (const operation of ['batch.create', 'batch.upsert', 'batch.update', 'batch.delete', 'batch.merge', 'subscription.list'] as const) {
      expect(run(operation, batch)).toEqual({ body: batch, droppedEntities: 0, removedAttributes: 0 });
    }
  });

  it('passes an empty body through for filtered operations', () => {
    expect(run('entity.query', undefined)).toEqual({ body: undefined, droppedEntities: 0, removedAttributes: 0 });
  });
});

describe('filterResponse: cost', () => {
  it('filters without copying what it keeps: kept attributes are the broker\'s own objects', () => {
    const entity: Record<string, unknown> = { ...parkingSpot().normalized };
    for (let i = 0; i < 14; i++) entity[`attr${i}`] = { type: 'Property', value: { nested: [i] }, observedAt: '2024-05-01T10:00:00Z' };
    const wide = viewOf([[IRI.ParkingSpot, allExcept(IRI.owner, `${DEFAULT_VOCAB}attr3`)]]);
    const body = Array.from({ length: 50 }, () => entity);
    const out = filterResponse({ operation: 'entity.query', body, view: wide, expand, options: [] });
    const kept = (out.body as Array<Record<string, unknown>>)[49] as Record<string, unknown>;
    expect(kept.attr3).toBeUndefined();
    for (let i = 0; i < 14; i++) if (i !== 3) expect(kept[`attr${i}`]).toBe(entity[`attr${i}`]);
  });
});
