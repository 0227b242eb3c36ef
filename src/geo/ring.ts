/**
 * A ring of an area, prepared once when its contract is compiled: its vertices in one flat
 * array, its bounding box, and its edges sorted into horizontal bands, so that locating a
 * point or testing a segment reads only the edges near it instead of all of them.
 */
import { EDGE_CROSSED, EDGE_ON, edgeStep, segmentsTouch } from './segments.js';

export interface Box {
  readonly minX: number;
  readonly minY: number;
  readonly maxX: number;
  readonly maxY: number;
}

export const INSIDE = 1;
export const ON_BOUNDARY = 0;
export const OUTSIDE = -1;

export interface IndexedRing {
  readonly box: Box;
  /** x0, y0, x1, y1, …; closed: the last vertex equals the first. */
  readonly coords: Float64Array;
  readonly bands: number;
  /** Bands per degree of latitude. */
  readonly scale: number;
  /** Edges of band b are bandEdges[bandStart[b] … bandStart[b + 1]); edge i runs from vertex i to i + 1. */
  readonly bandStart: Int32Array;
  readonly bandEdges: Int32Array;
}

/** More bands than this buys little: the edges near a point are already few. */
const MAX_BANDS = 1024;
/**
 * Edges spanning many bands are listed in each; when that would list each edge more than
 * this many times on average (a star of long spikes), fewer, taller bands are used.
 */
const MAX_ENTRIES_PER_EDGE = 8;

export function boxOf(coords: Float64Array): Box {
  let minX = Infinity, minY = Infinity, maxX = -Infinity, maxY = -Infinity;
  for (let i = 0; i < coords.length; i += 2) {
    const x = coords[i]!, y = coords[i + 1]!;
    if (x < minX) minX = x;
    if (x > maxX) maxX = x;
    if (y < minY) minY = y;
    if (y > maxY) maxY = y;
  }
  return { minX, minY, maxX, maxY };
}

function bandAt(minY: number, scale: number, bands: number, y: number): number {
  const b = Math.floor((y - minY) * scale);
  return b < 0 ? 0 : b >= bands ? bands - 1 : b;
}

/** Indexes a closed ring (at least two edges, some height: checked when the area is compiled). */
export function indexRing(coords: Float64Array): IndexedRing {
  const box = boxOf(coords);
  const edges = coords.length / 2 - 1;
  const height = box.maxY - box.minY;
  let bands = height > 0 ? Math.max(1, Math.min(edges, MAX_BANDS)) : 1;
  for (;;) {
    const scale = height > 0 ? bands / height : 0;
    const span = (e: number): [number, number] => {
      const ay = coords[2 * e + 1]!, by = coords[2 * e + 3]!;
      return [bandAt(box.minY, scale, bands, Math.min(ay, by)), bandAt(box.minY, scale, bands, Math.max(ay, by))];
    };
    let total = 0;
    for (let e = 0; e < edges; e++) {
      const [lo, hi] = span(e);
      total += hi - lo + 1;
    }
    if (total > MAX_ENTRIES_PER_EDGE * edges && bands > 1) {
      bands = Math.max(1, bands >> 1);
      continue;
    }
    const bandStart = new Int32Array(bands + 1);
    for (let e = 0; e < edges; e++) {
      const [lo, hi] = span(e);
      for (let b = lo; b <= hi; b++) bandStart[b + 1]!++;
    }
    for (let b = 0; b < bands; b++) bandStart[b + 1]! += bandStart[b]!;
    const fill = bandStart.slice(0, bands);
    const bandEdges = new Int32Array(total);
    for (let e = 0; e < edges; e++) {
      const [lo, hi] = span(e);
      for (let b = lo; b <= hi; b++) bandEdges[fill[b]!++] = e;
    }
    return { box, coords, bands, scale, bandStart, bandEdges };
  }
}

/**
 * INSIDE, ON_BOUNDARY or OUTSIDE. Every edge that a horizontal ray through the point can
 * cross, or that the point can lie on, spans the point's latitude, so it is in the
 * point's band: reading that band alone gives the same answer as reading every edge.
 */
export function locateInRing(ring: IndexedRing, x: number, y: number): number {
  const { box, coords } = ring;
  if (x < box.minX || x > box.maxX || y < box.minY || y > box.maxY) return OUTSIDE;
  const b = bandAt(box.minY, ring.scale, ring.bands, y);
  let inside = false;
  for (let k = ring.bandStart[b]!, end = ring.bandStart[b + 1]!; k < end; k++) {
    const i = 2 * ring.bandEdges[k]!;
    const step = edgeStep(x, y, coords[i]!, coords[i + 1]!, coords[i + 2]!, coords[i + 3]!);
    if (step === EDGE_ON) return ON_BOUNDARY;
    if (step === EDGE_CROSSED) inside = !inside;
  }
  return inside ? INSIDE : OUTSIDE;
}

/** True when the closed segment pq shares a point with an edge of the ring. */
export function segmentTouchesRing(ring: IndexedRing, px: number, py: number, qx: number, qy: number): boolean {
  const { box, coords } = ring;
  const loX = Math.min(px, qx), hiX = Math.max(px, qx), loY = Math.min(py, qy), hiY = Math.max(py, qy);
  if (hiX < box.minX || loX > box.maxX || hiY < box.minY || loY > box.maxY) return false;
  const first = bandAt(box.minY, ring.scale, ring.bands, Math.max(loY, box.minY));
  const last = bandAt(box.minY, ring.scale, ring.bands, Math.min(hiY, box.maxY));
  // An edge spanning several bands may be tested more than once: cheaper than remembering.
  for (let k = ring.bandStart[first]!, end = ring.bandStart[last + 1]!; k < end; k++) {
    const i = 2 * ring.bandEdges[k]!;
    const ax = coords[i]!, ay = coords[i + 1]!, bx = coords[i + 2]!, by = coords[i + 3]!;
    if (Math.max(ax, bx) < loX || Math.min(ax, bx) > hiX || Math.max(ay, by) < loY || Math.min(ay, by) > hiY) continue;
    if (segmentsTouch(px, py, qx, qy, ax, ay, bx, by)) return true;
  }
  return false;
}

/** INSIDE, ON_BOUNDARY or OUTSIDE of a ring given as bare vertices, closed or not (no index). */
export function locateInPath(coords: Float64Array, x: number, y: number): number {
  const n = coords.length / 2;
  let inside = false;
  for (let i = 0, j = n - 1; i < n; j = i++) {
    const step = edgeStep(x, y, coords[2 * j]!, coords[2 * j + 1]!, coords[2 * i]!, coords[2 * i + 1]!);
    if (step === EDGE_ON) return ON_BOUNDARY;
    if (step === EDGE_CROSSED) inside = !inside;
  }
  return inside ? INSIDE : OUTSIDE;
}
