/**
 * Whether a geometry lies inside permitted areas. The boundary counts as outside: a
 * constraint that limits what may be shown errs on the side of showing less. Each part of
 * a geometry (a point, a line, a polygon) must lie inside one polygon of the areas; the
 * parts may lie in different ones. A polygon's own holes are not credited (it must fit
 * around the area's holes as a solid shape).
 *
 * Cost: a bounding-box test first; then, per vertex, the edges in its band; for a line or
 * polygon in a non-convex area, per segment, the edges in the bands it spans.
 */
import type { Area, AreaPolygon } from './area.js';
import { INSIDE, OUTSIDE, locateInPath, locateInRing, segmentTouchesRing, type Box } from './ring.js';
import type { Shape, ShapePart } from './shape.js';

function strictlyWithin(inner: Box, outer: Box): boolean {
  return inner.minX > outer.minX && inner.maxX < outer.maxX && inner.minY > outer.minY && inner.maxY < outer.maxY;
}

/** How far east a longitude moves to enter the polygon's frame (see AreaPolygon.wraps). */
function shiftFor(poly: AreaPolygon, x: number): number {
  return poly.wraps && x < poly.box.minX ? 360 : 0;
}

function pointIn(poly: AreaPolygon, x: number, y: number): boolean {
  const fx = x + shiftFor(poly, x);
  if (locateInRing(poly.outer, fx, y) !== INSIDE) return false;
  for (const hole of poly.holes) if (locateInRing(hole, fx, y) !== OUTSIDE) return false;
  return true;
}

/**
 * Every vertex inside and, unless the polygon is convex, no segment meeting its boundary.
 * Vertices on either side of the frame's edge (the polygon's westmost longitude) mean a
 * segment crossing that meridian, which cannot lie inside.
 */
function pathIn(poly: AreaPolygon, c: Float64Array, closed: boolean): boolean {
  const shift = shiftFor(poly, c[0]!);
  for (let i = 0; i < c.length; i += 2) {
    if (shiftFor(poly, c[i]!) !== shift || !pointIn(poly, c[i]!, c[i + 1]!)) return false;
  }
  if (poly.convex) return true;
  const n = c.length / 2;
  const rings = [poly.outer, ...poly.holes];
  for (let i = closed ? 0 : 1, j = closed ? n - 1 : 0; i < n; j = i++) {
    const px = c[2 * j]! + shift, py = c[2 * j + 1]!, qx = c[2 * i]! + shift, qy = c[2 * i + 1]!;
    for (const ring of rings) if (segmentTouchesRing(ring, px, py, qx, qy)) return false;
  }
  return true;
}

function polygonIn(poly: AreaPolygon, part: ShapePart): boolean {
  const outer = part.rings[0]!;
  if (!pathIn(poly, outer, true)) return false;
  // Its outer ring lies inside the area; it still covers a hole of the area that sits inside it.
  const shift = shiftFor(poly, outer[0]!);
  for (const hole of poly.holes) {
    const hx = hole.coords[0]! - shift, hy = hole.coords[1]!;
    if (locateInPath(outer, hx, hy) !== OUTSIDE) return false;
  }
  return true;
}

function partIn(poly: AreaPolygon, part: ShapePart): boolean {
  if (!poly.wraps && !strictlyWithin(part.box, poly.box)) return false;
  switch (part.kind) {
    case 'point': return pointIn(poly, part.rings[0]![0]!, part.rings[0]![1]!);
    case 'line': return pathIn(poly, part.rings[0]!, false);
    case 'polygon': return polygonIn(poly, part);
  }
}

/** True when every part of the shape lies inside some polygon of the areas (their union). */
export function shapeWithin(shape: Shape, areas: readonly Area[]): boolean {
  if (shape.parts.length === 0) return false;
  for (const part of shape.parts) {
    let inside = false;
    for (const area of areas) {
      for (const poly of area.polygons) {
        if (partIn(poly, part)) { inside = true; break; }
      }
      if (inside) break;
    }
    if (!inside) return false;
  }
  return true;
}
