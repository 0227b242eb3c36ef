/**
 * An entity's GeoJSON geometry, read into flat vertex arrays with a bounding box per part.
 * Reading stops as soon as the geometry holds more positions than allowed, so a geometry
 * of any size costs at most that many positions' work; such a geometry is reported as
 * too large, never partly checked.
 *
 * Positions are WGS 84 [longitude, latitude] within [-180, 180] × [-90, 90] (RFC 7946: a
 * geometry crossing the antimeridian is cut there). A position out of range makes the
 * geometry invalid.
 */
import { boxOf, type Box } from './ring.js';

export interface ShapePart {
  readonly kind: 'point' | 'line' | 'polygon';
  /** Point: one vertex; line: its path; polygon: its rings, outer first (closed or not). */
  readonly rings: readonly Float64Array[];
  readonly box: Box;
}

export interface Shape {
  readonly parts: readonly ShapePart[];
  /** Positions read, over all parts. */
  readonly points: number;
}

export type ShapeResult = Shape | 'invalid' | 'too_large';

/** GeometryCollections nest no deeper than this (RFC 7946 advises against nesting at all). */
const MAX_NESTING = 4;

const GEOMETRY_TYPES: ReadonlySet<unknown> = new Set([
  'Point', 'MultiPoint', 'LineString', 'MultiLineString', 'Polygon', 'MultiPolygon', 'GeometryCollection',
]);

/** What marks a GeoJSON geometry; its coordinates are read by readShape. */
export interface GeometryObject {
  readonly type: string;
  readonly [member: string]: unknown;
}

/** An object typed as a GeoJSON geometry (whether or not its coordinates are valid). */
export function isGeometry(value: unknown): value is GeometryObject {
  return typeof value === 'object' && value !== null && !Array.isArray(value) && GEOMETRY_TYPES.has((value as Record<string, unknown>)['type']);
}

class Reader {
  points = 0;
  readonly parts: ShapePart[] = [];
  /** Why reading stopped, once it has. */
  failure: 'invalid' | 'too_large' | undefined;

  constructor(private readonly maxPoints: number) {}

  private fail(why: 'invalid' | 'too_large'): false {
    this.failure = why;
    return false;
  }

  private path(value: unknown, min: number): Float64Array | undefined {
    if (!Array.isArray(value) || value.length < min) return void this.fail('invalid');
    this.points += value.length;
    if (this.points > this.maxPoints) return void this.fail('too_large');
    const c = new Float64Array(value.length * 2);
    for (let i = 0; i < value.length; i++) {
      const p: unknown = value[i];
      if (!Array.isArray(p) || p.length < 2) return void this.fail('invalid');
      const x: unknown = p[0];
      const y: unknown = p[1];
      if (typeof x !== 'number' || typeof y !== 'number' || !(Math.abs(x) <= 180) || !(Math.abs(y) <= 90)) return void this.fail('invalid');
      c[2 * i] = x;
      c[2 * i + 1] = y;
    }
    return c;
  }

  private add(kind: ShapePart['kind'], value: unknown, min: number): boolean {
    const c = this.path(value, min);
    if (c === undefined) return false;
    this.parts.push({ kind, rings: [c], box: boxOf(c) });
    return true;
  }

  private polygon(value: unknown): boolean {
    if (!Array.isArray(value) || value.length === 0) return this.fail('invalid');
    const rings: Float64Array[] = [];
    for (const ring of value) {
      const c = this.path(ring, 4);
      if (c === undefined) return false;
      rings.push(c);
    }
    this.parts.push({ kind: 'polygon', rings, box: boxOf(rings[0]!) });
    return true;
  }

  /** Reads each member of a non-empty list; false at the first that fails. */
  private each(value: unknown, read: (member: unknown) => boolean): boolean {
    if (!Array.isArray(value) || value.length === 0) return this.fail('invalid');
    for (const member of value) if (!read(member)) return false;
    return true;
  }

  read(geometry: unknown, depth: number): boolean {
    if (!isGeometry(geometry)) return this.fail('invalid');
    const c = geometry['coordinates'];
    switch (geometry['type']) {
      case 'Point': return this.add('point', [c], 1);
      case 'MultiPoint': return this.each(c, (p) => this.add('point', [p], 1));
      case 'LineString': return this.add('line', c, 2);
      case 'MultiLineString': return this.each(c, (line) => this.add('line', line, 2));
      case 'Polygon': return this.polygon(c);
      case 'MultiPolygon': return this.each(c, (p) => this.polygon(p));
      default:
        if (depth >= MAX_NESTING) return this.fail('invalid');
        return this.each(geometry['geometries'], (member) => this.read(member, depth + 1));
    }
  }
}

/** Reads a GeoJSON geometry of at most `maxPoints` positions. */
export function readShape(geometry: unknown, maxPoints: number): ShapeResult {
  const reader = new Reader(maxPoints);
  if (!reader.read(geometry, 0)) return reader.failure ?? 'invalid';
  return { parts: reader.parts, points: reader.points };
}
