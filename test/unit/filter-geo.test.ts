import { describe, expect, it } from 'vitest';
import { compileAreas, geometryWithin } from '../../src/filter/index.js';
import { AREA } from './filter-fixtures.js';

const square = compileAreas([AREA]);
const withHole = compileAreas([{
  type: 'Polygon',
  coordinates: [
    [[0, 0], [10, 0], [10, 10], [0, 10], [0, 0]],
    [[4, 4], [6, 4], [6, 6], [4, 6], [4, 4]],
  ],
}]);
/** A U shape: the notch (4..6, 5..10) is outside. */
const uShape = compileAreas([{
  type: 'Polygon',
  coordinates: [[[0, 0], [10, 0], [10, 10], [6, 10], [6, 5], [4, 5], [4, 10], [0, 10], [0, 0]]],
}]);

const point = (x: number, y: number) => ({ type: 'Point', coordinates: [x, y] });

describe('geometryWithin: points', () => {
  it('accepts points strictly inside and rejects points outside', () => {
    expect(geometryWithin(point(5, 5), square)).toBe(true);
    expect(geometryWithin(point(-1, 5), square)).toBe(false);
    expect(geometryWithin(point(5, 10.5), square)).toBe(false);
  });

  it('counts the boundary as outside', () => {
    expect(geometryWithin(point(0, 5), square)).toBe(false);
    expect(geometryWithin(point(10, 10), square)).toBe(false);
    expect(geometryWithin(point(6, 7), uShape)).toBe(false);
  });

  it('excludes holes', () => {
    expect(geometryWithin(point(5, 5), withHole)).toBe(false);
    expect(geometryWithin(point(2, 2), withHole)).toBe(true);
    expect(geometryWithin(point(4, 5), withHole)).toBe(false);
  });

  it('handles a concave area', () => {
    expect(geometryWithin(point(5, 7), uShape)).toBe(false);
    expect(geometryWithin(point(2, 8), uShape)).toBe(true);
    expect(geometryWithin(point(5, 2), uShape)).toBe(true);
  });

  it('accepts extra coordinates (altitude)', () => {
    expect(geometryWithin({ type: 'Point', coordinates: [5, 5, 100] }, square)).toBe(true);
  });
});

describe('geometryWithin: other geometries', () => {
  it('requires every vertex inside', () => {
    expect(geometryWithin({ type: 'MultiPoint', coordinates: [[1, 1], [2, 2]] }, square)).toBe(true);
    expect(geometryWithin({ type: 'MultiPoint', coordinates: [[1, 1], [20, 2]] }, square)).toBe(false);
    expect(geometryWithin({ type: 'LineString', coordinates: [[1, 1], [9, 9]] }, square)).toBe(true);
  });

  it('rejects a line whose vertices are inside but which leaves the area', () => {
    expect(geometryWithin({ type: 'LineString', coordinates: [[2, 8], [8, 8]] }, uShape)).toBe(false);
    expect(geometryWithin({ type: 'LineString', coordinates: [[2, 5], [8, 5]] }, withHole)).toBe(false);
  });

  it('rejects a polygon around a hole of the area', () => {
    const around = { type: 'Polygon', coordinates: [[[2, 2], [8, 2], [8, 8], [2, 8], [2, 2]]] };
    expect(geometryWithin(around, withHole)).toBe(false);
    expect(geometryWithin(around, square)).toBe(true);
  });

  it('accepts multi-part geometries lying in different polygons of the permitted areas', () => {
    const areas = compileAreas([
      AREA,
      { type: 'MultiPolygon', coordinates: [[[[20, 20], [30, 20], [30, 30], [20, 30], [20, 20]]]] },
    ]);
    expect(geometryWithin({ type: 'MultiPoint', coordinates: [[5, 5], [25, 25]] }, areas)).toBe(true);
    expect(geometryWithin({ type: 'LineString', coordinates: [[5, 5], [25, 25]] }, areas)).toBe(false);
    expect(geometryWithin({
      type: 'GeometryCollection',
      geometries: [point(1, 1), { type: 'MultiLineString', coordinates: [[[21, 21], [29, 29]]] }],
    }, areas)).toBe(true);
  });

  it('treats anything that is not a valid geometry as outside', () => {
    for (const bad of [null, 'POINT(1 1)', { type: 'Point' }, { type: 'Point', coordinates: ['1', 1] },
      { type: 'Polygon', coordinates: [[[1, 1], [2, 2]]] }, { type: 'Circle', coordinates: [1, 1] },
      { type: 'Point', coordinates: [Number.NaN, 1] }]) {
      expect(geometryWithin(bad, square)).toBe(false);
    }
  });

  it('with no area, nothing is within', () => {
    expect(geometryWithin(point(5, 5), [])).toBe(false);
  });
});

describe('compileAreas', () => {
  it('refuses constraints that are not areas', () => {
    for (const bad of [point(1, 1), { type: 'Polygon', coordinates: [] }, 'somewhere', null]) {
      expect(() => compileAreas([bad])).toThrow(expect.objectContaining({ code: 'INTERNAL', reason: 'invalid_spatial_constraint' }));
    }
  });
});
