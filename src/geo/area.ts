/**
 * Permitted areas, compiled once when their contract is loaded: validated (closed rings,
 * positions in range, no edge that would wrap the wrong way round the globe), moved into
 * one longitude frame per polygon, and indexed (bounding boxes, banded edges, a convexity
 * flag), so that a response is checked against ready structures.
 *
 * Edges are straight lines in longitude/latitude. A polygon crossing the antimeridian is
 * written with continuous longitudes beyond ±180 (a ring from 170 to 190 covers 170°E to
 * 170°W); an edge spanning more than 180° of longitude is refused, since read as drawn
 * it goes the long way round (a ring from 170 to -170 would be a 340° band).
 */
import { boxOf, indexRing, type Box, type IndexedRing } from './ring.js';

export interface AreaPolygon {
  /** Bounding box of the outer ring, in the polygon's frame. */
  readonly box: Box;
  readonly outer: IndexedRing;
  readonly holes: readonly IndexedRing[];
  /** No holes and a convex outer ring: a geometry is inside when all its vertices are. */
  readonly convex: boolean;
  /**
   * The polygon reaches east of 180°: a longitude west of `box.minX` is read 360° further
   * east (the frame starts at `box.minX`, which lies in [-180, 180)).
   */
  readonly wraps: boolean;
}

/** One permitted area, a GeoJSON Polygon or MultiPolygon. */
export interface Area {
  /** The area as its contract wrote it. */
  readonly geometry: unknown;
  /** Equal for equal areas (the canonical text of `geometry`). */
  readonly key: string;
  readonly polygons: readonly AreaPolygon[];
}

/**
 * A problem names the polygon, ring and position in words, and gives the path to the value
 * at fault inside the area (`['coordinates', 0, 3, 1]` for a latitude), so a tool can point
 * at it; `hint` says what was probably meant.
 */
export type AreaResult = { readonly area: Area } | { readonly problem: string; readonly path: ReadonlyArray<string | number>; readonly hint?: string };

/** Positions of one area, all rings together: enough for a detailed city boundary. */
export const MAX_AREA_POSITIONS = 100_000;

type Path = ReadonlyArray<string | number>;

class AreaProblem extends Error {
  constructor(message: string, readonly path: Path, readonly hint?: string) {
    super(message);
  }
}

function problem(where: string, what: string, path: Path = [], hint?: string): never {
  throw new AreaProblem(where === '' ? what : `${where}: ${what}`, path, hint);
}

const SWAPPED = 'coordinates are [longitude, latitude]; did you swap them?';

function readPosition(value: unknown, where: string, path: Path): [number, number] {
  if (!Array.isArray(value) || value.length < 2 || value.length > 3 || !value.every((n) => typeof n === 'number' && Number.isFinite(n))) {
    problem(where, 'not a [longitude, latitude] position', path);
  }
  const [lon, lat] = value as [number, number];
  if (Math.abs(lat) > 90) {
    const swapped = Math.abs(lon) <= 90 && Math.abs(lat) <= 180;
    problem(where, `latitude ${lat} is outside [-90, 90]${swapped ? ` (${SWAPPED})` : ''}`, [...path, 1], swapped ? SWAPPED : undefined);
  }
  if (Math.abs(lon) > 360) problem(where, `longitude ${lon} is outside [-180, 180] (or ±360 to continue across the antimeridian)`, [...path, 0]);
  return [lon, lat];
}

/** Twice the signed area enclosed (shoelace). */
function doubleArea(c: Float64Array): number {
  let sum = 0;
  for (let i = 0; i + 3 < c.length; i += 2) sum += c[i]! * c[i + 3]! - c[i + 2]! * c[i + 1]!;
  return sum;
}

function readRing(value: unknown, where: string, budget: { left: number }, path: Path): Float64Array {
  if (!Array.isArray(value) || value.length < 4) problem(where, 'a linear ring needs at least 4 positions', path);
  budget.left -= value.length;
  if (budget.left < 0) problem('', `the area has more than ${MAX_AREA_POSITIONS} positions`, path);
  const c = new Float64Array(value.length * 2);
  value.forEach((p, i) => {
    const [lon, lat] = readPosition(p, `${where}, position ${i + 1}`, [...path, i]);
    c[2 * i] = lon;
    c[2 * i + 1] = lat;
    if (i > 0 && Math.abs(lon - c[2 * i - 2]!) > 180) {
      problem(`${where}, position ${i + 1}`, `the edge from [${c[2 * i - 2]}, ${c[2 * i - 1]}] to [${lon}, ${lat}] spans more than 180° of longitude, `
        + 'so it would go the long way round the globe; to cross the antimeridian continue the longitudes beyond ±180 '
        + '(190 for 170°W), or split the area into a MultiPolygon at 180', [...path, i]);
    }
  });
  if (c[0] !== c[c.length - 2] || c[1] !== c[c.length - 1]) {
    problem(where, 'a linear ring must end at the position it starts with', [...path, value.length - 1], `close the ring: end it with [${c[0]}, ${c[1]}]`);
  }
  if (doubleArea(c) === 0) problem(where, 'the ring encloses no area', path);
  return c;
}

function shifted(c: Float64Array, by: number): Float64Array {
  if (by === 0) return c;
  const out = c.slice();
  for (let i = 0; i < out.length; i += 2) out[i]! += by;
  return out;
}

function sign(v: number): number {
  return v > 0 ? 1 : v < 0 ? -1 : 0;
}

/** Sign changes around a closed sequence of signs (zeros skipped). */
function signChanges(signs: readonly number[]): number {
  const s = signs.filter((v) => v !== 0);
  let changes = 0;
  for (let i = 0; i < s.length; i++) if (s[i] !== s[(i + 1) % s.length]) changes++;
  return changes;
}

/**
 * A simple convex ring: every turn the same way, and going round once (the direction of
 * travel changes sign at most twice along each axis; a star turns the same way throughout
 * but goes round twice).
 */
function isConvex(c: Float64Array): boolean {
  const dx: number[] = [];
  const dy: number[] = [];
  for (let i = 0; i + 3 < c.length; i += 2) {
    const ex = c[i + 2]! - c[i]!, ey = c[i + 3]! - c[i + 1]!;
    if (ex !== 0 || ey !== 0) {
      dx.push(ex);
      dy.push(ey);
    }
  }
  let turn = 0;
  for (let i = 0; i < dx.length; i++) {
    const j = (i + 1) % dx.length;
    const t = sign(dx[i]! * dy[j]! - dy[i]! * dx[j]!);
    if (t === 0) continue;
    if (turn === 0) turn = t;
    else if (t !== turn) return false;
  }
  return turn !== 0 && signChanges(dx.map(sign)) <= 2 && signChanges(dy.map(sign)) <= 2;
}

function readPolygon(value: unknown, where: string, budget: { left: number }, path: Path): AreaPolygon {
  const at = (r: number): string => `${where}${where === '' ? '' : ', '}ring ${r + 1}`;
  if (!Array.isArray(value) || value.length === 0) problem(where, 'a polygon needs at least its outer ring', path);
  const rings = value.map((ring, r) => readRing(ring, at(r), budget, [...path, r]));
  const outerBox = boxOf(rings[0]!);
  if (outerBox.maxX - outerBox.minX >= 360) problem(at(0), 'the ring spans 360° of longitude or more', [...path, 0]);
  // One frame per polygon: its westmost longitude in [-180, 180).
  const shift = -360 * Math.floor((outerBox.minX + 180) / 360);
  const [outer, ...holes] = rings.map((c) => indexRing(shifted(c, shift)));
  return {
    box: outer!.box,
    outer: outer!,
    holes,
    convex: holes.length === 0 && isConvex(outer!.coords),
    wraps: outer!.box.maxX > 180,
  };
}

/**
 * Validates and compiles an area (a GeoJSON Polygon or MultiPolygon; a `bbox` member is
 * allowed and not used). Returns the problem, naming the polygon, ring and position, when
 * it is not a usable area.
 */
export function compileArea(value: unknown): AreaResult {
  try {
    if (typeof value !== 'object' || value === null || Array.isArray(value)) problem('', 'an area is a GeoJSON Polygon or MultiPolygon');
    const g = value as Record<string, unknown>;
    const extra = Object.keys(g).find((k) => k !== 'type' && k !== 'coordinates' && k !== 'bbox');
    if (extra !== undefined) problem('', 'an area has only the members type, coordinates and bbox', [extra]);
    const budget = { left: MAX_AREA_POSITIONS };
    let polygons: AreaPolygon[];
    if (g['type'] === 'Polygon') {
      polygons = [readPolygon(g['coordinates'], '', budget, ['coordinates'])];
    } else if (g['type'] === 'MultiPolygon') {
      const c = g['coordinates'];
      if (!Array.isArray(c) || c.length === 0) problem('', 'a MultiPolygon needs at least one polygon', ['coordinates']);
      polygons = c.map((p, i) => readPolygon(p, `polygon ${i + 1}`, budget, ['coordinates', i]));
    } else {
      problem('', 'an area is a GeoJSON Polygon or MultiPolygon', ['type']);
    }
    const key = JSON.stringify(value);
    // A private copy: the caller may reuse or change the document it passed in.
    return { area: { geometry: JSON.parse(key) as unknown, key, polygons } };
  } catch (err) {
    if (err instanceof AreaProblem) return { problem: err.message, path: err.path, ...(err.hint !== undefined ? { hint: err.hint } : {}) };
    throw err;
  }
}
