/**
 * Planar containment of GeoJSON geometries in permitted areas, for spatial constraints.
 *
 * Coordinates are treated as planar [x, y] (longitude, latitude); areas crossing the
 * antimeridian are not supported. The boundary of an area counts as outside: a constraint
 * that limits what may be shown errs on the side of showing less.
 */
import { MimtrustError } from '../errors/index.js';
import { isObject } from './types.js';

type Position = readonly [number, number];
type Ring = readonly Position[];

/** One polygon of a permitted area: outer ring first, then holes, with its bounding box. */
export interface Area {
  readonly rings: readonly Ring[];
  readonly minX: number;
  readonly minY: number;
  readonly maxX: number;
  readonly maxY: number;
}

/** One simple part of a located geometry. */
type Part =
  | { readonly kind: 'point'; readonly at: Position }
  | { readonly kind: 'line'; readonly path: readonly Position[] }
  | { readonly kind: 'polygon'; readonly rings: readonly Ring[] };

const INSIDE = 1;
const ON_BOUNDARY = 0;
const OUTSIDE = -1;

function toPosition(value: unknown): Position | undefined {
  if (!Array.isArray(value) || value.length < 2) return undefined;
  const x: unknown = value[0];
  const y: unknown = value[1];
  if (typeof x !== 'number' || typeof y !== 'number' || !Number.isFinite(x) || !Number.isFinite(y)) return undefined;
  return [x, y];
}

function toPath(value: unknown, minLength: number): Position[] | undefined {
  if (!Array.isArray(value) || value.length < minLength) return undefined;
  const path: Position[] = [];
  for (const item of value) {
    const p = toPosition(item);
    if (p === undefined) return undefined;
    path.push(p);
  }
  return path;
}

function toRings(value: unknown): Ring[] | undefined {
  if (!Array.isArray(value) || value.length === 0) return undefined;
  const rings: Ring[] = [];
  for (const item of value) {
    // A linear ring is closed: at least four positions, the last equal to the first.
    const ring = toPath(item, 4);
    if (ring === undefined) return undefined;
    rings.push(ring);
  }
  return rings;
}

/**
 * Splits a GeoJSON geometry into its simple parts; undefined when it is not a valid
 * geometry (the caller then treats the entity as not located).
 */
export function geometryParts(geometry: unknown, out: Part[] = []): Part[] | undefined {
  if (!isObject(geometry)) return undefined;
  const c = geometry['coordinates'];
  switch (geometry['type']) {
    case 'Point': {
      const at = toPosition(c);
      if (at === undefined) return undefined;
      out.push({ kind: 'point', at });
      return out;
    }
    case 'MultiPoint': {
      const points = toPath(c, 1);
      if (points === undefined) return undefined;
      for (const at of points) out.push({ kind: 'point', at });
      return out;
    }
    case 'LineString': {
      const path = toPath(c, 2);
      if (path === undefined) return undefined;
      out.push({ kind: 'line', path });
      return out;
    }
    case 'MultiLineString': {
      if (!Array.isArray(c) || c.length === 0) return undefined;
      for (const item of c) {
        const path = toPath(item, 2);
        if (path === undefined) return undefined;
        out.push({ kind: 'line', path });
      }
      return out;
    }
    case 'Polygon': {
      const rings = toRings(c);
      if (rings === undefined) return undefined;
      out.push({ kind: 'polygon', rings });
      return out;
    }
    case 'MultiPolygon': {
      if (!Array.isArray(c) || c.length === 0) return undefined;
      for (const item of c) {
        const rings = toRings(item);
        if (rings === undefined) return undefined;
        out.push({ kind: 'polygon', rings });
      }
      return out;
    }
    case 'GeometryCollection': {
      const members = geometry['geometries'];
      if (!Array.isArray(members) || members.length === 0) return undefined;
      for (const member of members) if (geometryParts(member, out) === undefined) return undefined;
      return out;
    }
    default:
      return undefined;
  }
}

function toArea(rings: readonly Ring[]): Area {
  let minX = Infinity, minY = Infinity, maxX = -Infinity, maxY = -Infinity;
  for (const [x, y] of rings[0] ?? []) {
    if (x < minX) minX = x;
    if (x > maxX) maxX = x;
    if (y < minY) minY = y;
    if (y > maxY) maxY = y;
  }
  return { rings, minX, minY, maxX, maxY };
}

/**
 * Turns the spatial constraint of a decision (Polygon, MultiPolygon or a GeometryCollection
 * of them) into areas. Anything else is a broken constraint: it is refused rather than
 * read as "no area", so a decision path error cannot widen what is shown.
 */
export function compileAreas(within: ReadonlyArray<unknown>): Area[] {
  const areas: Area[] = [];
  for (const geometry of within) {
    const parts = geometryParts(geometry);
    if (parts === undefined || parts.length === 0 || parts.some((p) => p.kind !== 'polygon')) {
      throw new MimtrustError('INTERNAL', 'A spatial constraint is not a valid area.', { reason: 'invalid_spatial_constraint' });
    }
    for (const part of parts) if (part.kind === 'polygon') areas.push(toArea(part.rings));
  }
  return areas;
}

function onSegment(p: Position, a: Position, b: Position): boolean {
  const cross = (b[0] - a[0]) * (p[1] - a[1]) - (b[1] - a[1]) * (p[0] - a[0]);
  if (cross !== 0) return false;
  return Math.min(a[0], b[0]) <= p[0] && p[0] <= Math.max(a[0], b[0]) && Math.min(a[1], b[1]) <= p[1] && p[1] <= Math.max(a[1], b[1]);
}

/** Ray casting, with points on an edge reported separately. */
function locateInRing(p: Position, ring: Ring): number {
  let inside = false;
  for (let i = 0, j = ring.length - 1; i < ring.length; j = i++) {
    const a = ring[j] as Position;
    const b = ring[i] as Position;
    if (onSegment(p, a, b)) return ON_BOUNDARY;
    if (a[1] > p[1] !== b[1] > p[1]) {
      const x = a[0] + ((p[1] - a[1]) * (b[0] - a[0])) / (b[1] - a[1]);
      if (p[0] < x) inside = !inside;
    }
  }
  return inside ? INSIDE : OUTSIDE;
}

function pointInArea(p: Position, area: Area): boolean {
  if (p[0] <= area.minX || p[0] >= area.maxX || p[1] <= area.minY || p[1] >= area.maxY) return false;
  const [outer, ...holes] = area.rings;
  if (outer === undefined || locateInRing(p, outer) !== INSIDE) return false;
  for (const hole of holes) if (locateInRing(p, hole) !== OUTSIDE) return false;
  return true;
}

function orientation(a: Position, b: Position, c: Position): number {
  const v = (b[1] - a[1]) * (c[0] - b[0]) - (b[0] - a[0]) * (c[1] - b[1]);
  return v === 0 ? 0 : v > 0 ? 1 : 2;
}

/** True when the closed segments pq and rs share at least one point. */
function segmentsTouch(p: Position, q: Position, r: Position, s: Position): boolean {
  const o1 = orientation(p, q, r);
  const o2 = orientation(p, q, s);
  const o3 = orientation(r, s, p);
  const o4 = orientation(r, s, q);
  if (o1 !== o2 && o3 !== o4) return true;
  return (o1 === 0 && onSegment(r, p, q)) || (o2 === 0 && onSegment(s, p, q))
    || (o3 === 0 && onSegment(p, r, s)) || (o4 === 0 && onSegment(q, r, s));
}

/** Every vertex strictly inside and no edge meeting the area's boundary. */
function pathInArea(path: readonly Position[], area: Area): boolean {
  for (const p of path) if (!pointInArea(p, area)) return false;
  for (let i = 1; i < path.length; i++) {
    const p = path[i - 1] as Position;
    const q = path[i] as Position;
    for (const ring of area.rings) {
      for (let k = 1; k < ring.length; k++) {
        if (segmentsTouch(p, q, ring[k - 1] as Position, ring[k] as Position)) return false;
      }
    }
  }
  return true;
}

function polygonInArea(rings: readonly Ring[], area: Area): boolean {
  const outer = rings[0];
  if (outer === undefined || !pathInArea(outer, area)) return false;
  // The outer ring lies inside the area; the polygon still covers a hole of the area
  // when that hole sits inside it (the entity's own holes are not credited: fail closed).
  for (let h = 1; h < area.rings.length; h++) {
    const first = area.rings[h]?.[0];
    if (first !== undefined && locateInRing(first, outer) !== OUTSIDE) return false;
  }
  return true;
}

function partInArea(part: Part, area: Area): boolean {
  switch (part.kind) {
    case 'point': return pointInArea(part.at, area);
    case 'line': return pathInArea(part.path, area);
    case 'polygon': return polygonInArea(part.rings, area);
  }
}

/** True when every part of the geometry lies inside one of the areas (their union). */
export function geometryWithin(geometry: unknown, areas: readonly Area[]): boolean {
  const parts = geometryParts(geometry);
  if (parts === undefined || parts.length === 0) return false;
  for (const part of parts) {
    let inside = false;
    for (const area of areas) {
      if (partInArea(part, area)) { inside = true; break; }
    }
    if (!inside) return false;
  }
  return true;
}
