import { describe, expect, it } from 'vitest';
import { compileArea, readShape, shapeWithin, type Area } from '../../src/geo/index.js';
import { indexRing, locateInPath, locateInRing, segmentTouchesRing } from '../../src/geo/ring.js';
import { segmentsTouch } from '../../src/geo/segments.js';
import { AREA, AREA_GEOJSON, areaOf } from './filter-fixtures.js';

const LIMIT = 10_000;

/** Reads the geometry (within the default limit) and checks it against the areas. */
function within(geometry: unknown, areas: readonly Area[]): boolean {
  const shape = readShape(geometry, LIMIT);
  return typeof shape !== 'string' && shapeWithin(shape, areas);
}

function problemOf(geometry: unknown): string {
  const compiled = compileArea(geometry);
  return 'problem' in compiled ? compiled.problem : '';
}

const polygon = (...rings: number[][][]) => ({ type: 'Polygon', coordinates: rings });
const point = (x: number, y: number) => ({ type: 'Point', coordinates: [x, y] });
const line = (...coordinates: number[][]) => ({ type: 'LineString', coordinates });

const square = [AREA];
const withHole = [areaOf(polygon(
  [[0, 0], [10, 0], [10, 10], [0, 10], [0, 0]],
  [[4, 4], [6, 4], [6, 6], [4, 6], [4, 4]],
))];
/** A U shape: the notch (4..6, 5..10) is outside. */
const uShape = [areaOf(polygon([[0, 0], [10, 0], [10, 10], [6, 10], [6, 5], [4, 5], [4, 10], [0, 10], [0, 0]]))];

describe('points', () => {
  it('accepts points strictly inside and rejects points outside', () => {
    expect(within(point(5, 5), square)).toBe(true);
    expect(within(point(-1, 5), square)).toBe(false);
    expect(within(point(5, 10.5), square)).toBe(false);
  });

  it('counts the boundary as outside', () => {
    expect(within(point(0, 5), square)).toBe(false);
    expect(within(point(10, 10), square)).toBe(false);
    expect(within(point(6, 7), uShape)).toBe(false);
  });

  it('excludes holes', () => {
    expect(within(point(5, 5), withHole)).toBe(false);
    expect(within(point(2, 2), withHole)).toBe(true);
    expect(within(point(4, 5), withHole)).toBe(false);
  });

  it('handles a concave area', () => {
    expect(within(point(5, 7), uShape)).toBe(false);
    expect(within(point(2, 8), uShape)).toBe(true);
    expect(within(point(5, 2), uShape)).toBe(true);
  });

  it('accepts extra coordinates (altitude)', () => {
    expect(within({ type: 'Point', coordinates: [5, 5, 100] }, square)).toBe(true);
  });
});

describe('other geometries', () => {
  it('requires every vertex inside', () => {
    expect(within({ type: 'MultiPoint', coordinates: [[1, 1], [2, 2]] }, square)).toBe(true);
    expect(within({ type: 'MultiPoint', coordinates: [[1, 1], [20, 2]] }, square)).toBe(false);
    expect(within(line([1, 1], [9, 9]), square)).toBe(true);
  });

  it('rejects a line whose vertices are inside but which leaves the area', () => {
    expect(within(line([2, 8], [8, 8]), uShape)).toBe(false);
    expect(within(line([2, 5], [8, 5]), withHole)).toBe(false);
  });

  it('rejects a polygon around a hole of the area, and one whose closing edge leaves the area', () => {
    const around = polygon([[2, 2], [8, 2], [8, 8], [2, 8], [2, 2]]);
    expect(within(around, withHole)).toBe(false);
    expect(within(around, square)).toBe(true);
    // Not closed as written: the edge back from (8, 8) to (2, 8) crosses the notch all the same.
    expect(within(polygon([[2, 8], [2, 2], [8, 2], [8, 8]]), uShape)).toBe(false);
  });

  it('accepts multi-part geometries lying in different polygons of the permitted areas', () => {
    const areas = [AREA, areaOf({ type: 'MultiPolygon', coordinates: [[[[20, 20], [30, 20], [30, 30], [20, 30], [20, 20]]]] })];
    expect(within({ type: 'MultiPoint', coordinates: [[5, 5], [25, 25]] }, areas)).toBe(true);
    expect(within(line([5, 5], [25, 25]), areas)).toBe(false);
    expect(within({
      type: 'GeometryCollection',
      geometries: [point(1, 1), { type: 'MultiLineString', coordinates: [[[21, 21], [29, 29]]] }],
    }, areas)).toBe(true);
  });

  it('treats anything that is not a valid geometry as outside', () => {
    for (const bad of [null, 'POINT(1 1)', { type: 'Point' }, { type: 'Point', coordinates: ['1', 1] },
      { type: 'Polygon', coordinates: [[[1, 1], [2, 2]]] }, { type: 'Circle', coordinates: [1, 1] },
      { type: 'Point', coordinates: [Number.NaN, 1] }, point(200, 5), point(5, 95),
      { type: 'GeometryCollection', geometries: [] }]) {
      expect(within(bad, square)).toBe(false);
    }
  });

  it('refuses GeometryCollections nested deeper than four levels', () => {
    let g: unknown = point(5, 5);
    for (let depth = 0; depth < 4; depth++) g = { type: 'GeometryCollection', geometries: [g] };
    expect(within(g, square)).toBe(true);
    expect(within({ type: 'GeometryCollection', geometries: [g] }, square)).toBe(false);
  });

  it('with no area, nothing is within', () => {
    expect(within(point(5, 5), [])).toBe(false);
  });
});

describe('the size limit', () => {
  const path = (n: number) => Array.from({ length: n }, (_, i) => [1 + (8 * i) / n, 5]);

  it('reads a geometry of up to the limit, and reports a larger one without reading it all', () => {
    expect(readShape(line(...path(100)), 100)).toMatchObject({ points: 100 });
    expect(readShape(line(...path(101)), 100)).toBe('too_large');
    // Counted over every part: two lines of 60 are 120 positions.
    expect(readShape({ type: 'MultiLineString', coordinates: [path(60), path(60)] }, 100)).toBe('too_large');
    expect(readShape({ type: 'GeometryCollection', geometries: [line(...path(60)), line(...path(60))] }, 100)).toBe('too_large');
    // A huge array past the limit is refused from its length: its contents are never read.
    const huge = new Array<unknown>(1_000_000);
    expect(readShape({ type: 'LineString', coordinates: huge }, 100)).toBe('too_large');
  });
});

describe('compileArea', () => {
  it('finds the bounding box and whether the area is convex', () => {
    const [square] = AREA.polygons;
    expect(square?.box).toEqual({ minX: 0, minY: 0, maxX: 10, maxY: 10 });
    expect(square?.convex).toBe(true);
    expect(uShape[0]?.polygons[0]?.convex).toBe(false);
    expect(withHole[0]?.polygons[0]?.convex).toBe(false);
    // Every turn the same way, but round twice: a pentagram is not convex.
    const star = [0, 1, 2, 3, 4, 0].map((k) => [Math.cos((4 * Math.PI * k) / 5), Math.sin((4 * Math.PI * k) / 5)]);
    const starArea = areaOf(polygon(star));
    expect(starArea.polygons[0]?.convex).toBe(false);
    // Rings are read even-odd: the spikes are inside, the pentagon at the heart (covered twice) is not;
    // a line from spike to spike, both ends inside, is not inside (as it would be in a convex area).
    const tip = (k: number) => [0.8 * Math.cos((2 * Math.PI * k) / 5), 0.8 * Math.sin((2 * Math.PI * k) / 5)];
    expect(within(point(tip(0)[0]!, tip(0)[1]!), [starArea])).toBe(true);
    expect(within(point(tip(1)[0]!, tip(1)[1]!), [starArea])).toBe(true);
    expect(within(point(0, 0), [starArea])).toBe(false);
    expect(within(line(tip(0), tip(1)), [starArea])).toBe(false);
  });

  it('keeps the area as written, and one key for equal areas', () => {
    const a = areaOf(AREA_GEOJSON);
    expect(a.geometry).toEqual(AREA_GEOJSON);
    expect(a.geometry).not.toBe(AREA_GEOJSON);
    expect(a.key).toBe(AREA.key);
  });

  it('refuses what is not a closed, non-empty Polygon or MultiPolygon in range, naming where', () => {
    expect(problemOf(point(1, 1))).toMatch(/Polygon or MultiPolygon/);
    expect(problemOf({ ...AREA_GEOJSON, crs: 'x' })).toMatch(/only the members/);
    expect(problemOf(polygon())).toMatch(/outer ring/);
    expect(problemOf(polygon([[0, 0], [1, 0], [0, 0]]))).toMatch(/^ring 1: .*at least 4 positions/);
    expect(problemOf(polygon([[0, 0], [1, 0], [1, 1], [0, 1]]))).toMatch(/^ring 1: .*end at the position it starts/);
    expect(problemOf(polygon([[0, 0], [1, 0], [2, 0], [0, 0]]))).toMatch(/encloses no area/);
    expect(problemOf(polygon([[0, 0], [1, 0], [1, '1'] as unknown as number[], [0, 0]]))).toMatch(/^ring 1, position 3: not a \[longitude, latitude\]/);
    expect(problemOf({ type: 'MultiPolygon', coordinates: [AREA_GEOJSON.coordinates, [[[0, 0], [400, 0], [0, 1], [0, 0]]]] }))
      .toMatch(/^polygon 2, ring 1, position 2: longitude 400 is outside/);
  });

  it('hints that longitude and latitude are swapped when a latitude is beyond ±90', () => {
    // Helsinki swapped is still a valid place (in Iran): a swap shows only where a latitude cannot be one.
    expect(problemOf(polygon([[24.9, 60.1], [25.0, 60.1], [25.0, 60.2], [24.9, 60.2], [24.9, 60.1]]))).toBe('');
    expect(problemOf(polygon([[60.1, 24.9], [60.1, 25.0], [60.2, 25.0], [60.2, 24.9], [60.1, 24.9]]))).toBe('');
    const sydney = problemOf(polygon([[-33.9, 151.1], [-33.9, 151.3], [-33.8, 151.3], [-33.8, 151.1], [-33.9, 151.1]]));
    expect(sydney).toMatch(/ring 1, position 1: latitude 151.1 is outside \[-90, 90\].*did you swap them\?/);
    expect(problemOf(polygon([[120, 100], [121, 100], [121, 101], [120, 100]]))).not.toMatch(/swap/);
  });

  it('refuses more positions than an area may have', () => {
    const ring = Array.from({ length: 100_001 }, (_, i) => [Math.cos((2 * Math.PI * i) / 100_000), Math.sin((2 * Math.PI * i) / 100_000)]);
    ring[ring.length - 1] = ring[0]!;
    expect(problemOf(polygon(ring))).toMatch(/more than 100000 positions/);
  });
});

describe('the antimeridian', () => {
  /** 170°E to 170°W, written with continuous longitudes. */
  const pacific = areaOf(polygon([[170, -10], [190, -10], [190, 10], [170, 10], [170, -10]]));

  it('refuses an edge that jumps more than 180° of longitude, instead of reading a 340° band', () => {
    const jump = problemOf(polygon([[170, -10], [-170, -10], [-170, 10], [170, 10], [170, -10]]));
    expect(jump).toMatch(/^ring 1, position 2: the edge from \[170, -10\] to \[-170, -10\] spans more than 180° of longitude/);
    expect(jump).toMatch(/beyond ±180/);
    expect(problemOf(polygon([[0, 0], [181, 0], [181, 1], [0, 1], [0, 0]]))).toMatch(/spans more than 180°/);
    expect(problemOf(polygon([[-179, 0], [179, 0], [179, 1], [-179, 1], [-179, 0]]))).toMatch(/spans more than 180°/);
  });

  it('refuses an area going all the way round', () => {
    const band = polygon([[-180, -1], [0, -1], [180, -1], [180, 1], [0, 1], [-180, 1], [-180, -1]]);
    expect(problemOf(band)).toMatch(/360° of longitude or more/);
  });

  it('reads longitudes beyond 180 as continuing east across the antimeridian', () => {
    expect(pacific.polygons[0]?.wraps).toBe(true);
    for (const [x, y] of [[175, 0], [-175, 0], [179.9, 5], [-179.9, -5], [180, 0], [-180, 0]] as const) {
      expect(within(point(x, y), [pacific]), `${x},${y}`).toBe(true);
    }
    for (const [x, y] of [[0, 0], [165, 0], [-165, 0], [10, 0], [-10, 0], [175, 11]] as const) {
      expect(within(point(x, y), [pacific]), `${x},${y}`).toBe(false);
    }
  });

  it('is the same area when written west of -180', () => {
    const west = areaOf(polygon([[-190, -10], [-170, -10], [-170, 10], [-190, 10], [-190, -10]]));
    expect(west.polygons[0]?.box).toEqual(pacific.polygons[0]?.box);
    expect(within(point(-175, 0), [west])).toBe(true);
    expect(within(point(0, 0), [west])).toBe(false);
  });

  it('accepts a line cut at the antimeridian, and rejects one going the long way round', () => {
    const cut = { type: 'MultiLineString', coordinates: [[[175, 0], [180, 0]], [[-180, 0], [-175, 0]]] };
    expect(within(cut, [pacific])).toBe(true);
    // As GeoJSON reads it (RFC 7946), this line runs from 175°E west through 0° to 175°W.
    expect(within(line([175, 0], [-175, 0]), [pacific])).toBe(false);
    expect(within(line([175, 0], [179, 1]), [pacific])).toBe(true);
    expect(within(line([-179, 0], [-171, 1]), [pacific])).toBe(true);
    expect(within(polygon([[-179, 0], [-171, 0], [-171, 1], [-179, 0]]), [pacific])).toBe(true);
  });

  it('handles holes and concave rings across the antimeridian', () => {
    const ring = [[170, -10], [190, -10], [190, 10], [181, 10], [181, 0], [179, 0], [179, 10], [170, 10], [170, -10]];
    const notched = areaOf(polygon(ring, [[172, -8], [174, -8], [174, -6], [172, -6], [172, -8]]));
    expect(within(point(-175, 5), [notched])).toBe(true);
    expect(within(point(180, 5), [notched])).toBe(false);
    expect(within(point(173, -7), [notched])).toBe(false);
    expect(within(line([178, 5], [-178, 5]), [notched])).toBe(false);
    expect(within(line([178, -5], [-178, -5]), [notched])).toBe(false);
    expect(within({ type: 'MultiLineString', coordinates: [[[178, -5], [180, -5]], [[-180, -5], [-178, -5]]] }, [notched])).toBe(true);
  });
});

describe('the banded ring index', () => {
  /** A deterministic pseudo-random sequence in [0, 1). */
  function random(seed: number): () => number {
    let s = seed;
    return () => (s = (s * 1103515245 + 12345) % 2147483648) / 2147483648;
  }

  /** A jagged ring of n vertices around (0, 0), with spikes of random length. */
  function jagged(n: number, rand: () => number): Float64Array {
    const c = new Float64Array(2 * (n + 1));
    for (let i = 0; i < n; i++) {
      const a = (2 * Math.PI * i) / n;
      const r = 0.2 + rand();
      c[2 * i] = r * Math.cos(a);
      c[2 * i + 1] = r * Math.sin(a);
    }
    c[2 * n] = c[0]!;
    c[2 * n + 1] = c[1]!;
    return c;
  }

  it('locates points exactly as reading every edge does', () => {
    const rand = random(7);
    for (const n of [3, 10, 200, 3000]) {
      const coords = jagged(n, rand);
      const ring = indexRing(coords);
      for (let k = 0; k < 2000; k++) {
        const x = rand() * 2.6 - 1.3, y = rand() * 2.6 - 1.3;
        expect(locateInRing(ring, x, y)).toBe(locateInPath(coords, x, y));
      }
      // Vertices lie on the boundary.
      expect(locateInRing(ring, coords[2]!, coords[3]!)).toBe(0);
    }
  });

  it('finds every edge a segment touches, as reading every edge does', () => {
    const rand = random(11);
    const coords = jagged(500, rand);
    const ring = indexRing(coords);
    const brute = (px: number, py: number, qx: number, qy: number): boolean => {
      for (let i = 0; i + 3 < coords.length; i += 2) {
        if (segmentsTouch(px, py, qx, qy, coords[i]!, coords[i + 1]!, coords[i + 2]!, coords[i + 3]!)) return true;
      }
      return false;
    };
    for (let k = 0; k < 2000; k++) {
      const px = rand() * 2.6 - 1.3, py = rand() * 2.6 - 1.3;
      const len = k % 2 === 0 ? 0.05 : 2;
      const qx = px + (rand() - 0.5) * len, qy = py + (rand() - 0.5) * len;
      expect(segmentTouchesRing(ring, px, py, qx, qy)).toBe(brute(px, py, qx, qy));
    }
  });

  it('uses fewer, taller bands when long edges would be listed in too many', () => {
    // Spikes from the centre to the full height: every other edge spans every band.
    const n = 400;
    const c = new Float64Array(2 * (n + 1));
    for (let i = 0; i < n; i++) {
      c[2 * i] = i;
      c[2 * i + 1] = i % 2 === 0 ? 0 : 100;
    }
    c[2 * n] = c[0]!;
    c[2 * n + 1] = c[1]!;
    const ring = indexRing(c);
    expect(ring.bandEdges.length).toBeLessThanOrEqual(8 * n);
    expect(locateInRing(ring, 1, 50)).toBe(locateInPath(c, 1, 50));
  });
});
