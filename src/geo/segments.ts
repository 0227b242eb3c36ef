/**
 * Exact predicates on points and segments of the plane (longitude as x, latitude as y):
 * the building blocks of every containment test here.
 */

/** 0 when a, b, c are collinear; 1 or 2 for the two directions of the turn a→b→c. */
export function orientation(ax: number, ay: number, bx: number, by: number, cx: number, cy: number): number {
  const v = (by - ay) * (cx - bx) - (bx - ax) * (cy - by);
  return v === 0 ? 0 : v > 0 ? 1 : 2;
}

/** True when p lies on the closed segment ab. */
export function onSegment(px: number, py: number, ax: number, ay: number, bx: number, by: number): boolean {
  if ((bx - ax) * (py - ay) - (by - ay) * (px - ax) !== 0) return false;
  return Math.min(ax, bx) <= px && px <= Math.max(ax, bx) && Math.min(ay, by) <= py && py <= Math.max(ay, by);
}

/** True when the closed segments pq and rs share at least one point. */
export function segmentsTouch(
  px: number, py: number, qx: number, qy: number,
  rx: number, ry: number, sx: number, sy: number,
): boolean {
  const o1 = orientation(px, py, qx, qy, rx, ry);
  const o2 = orientation(px, py, qx, qy, sx, sy);
  const o3 = orientation(rx, ry, sx, sy, px, py);
  const o4 = orientation(rx, ry, sx, sy, qx, qy);
  if (o1 !== o2 && o3 !== o4) return true;
  return (o1 === 0 && onSegment(rx, ry, px, py, qx, qy)) || (o2 === 0 && onSegment(sx, sy, px, py, qx, qy))
    || (o3 === 0 && onSegment(px, py, rx, ry, sx, sy)) || (o4 === 0 && onSegment(qx, qy, rx, ry, sx, sy));
}

export const EDGE_NONE = 0;
export const EDGE_CROSSED = 1;
export const EDGE_ON = 2;

/**
 * One step of ray casting from p towards +x: whether p lies on the edge ab, or the ray
 * crosses it (each crossing of a ring's boundary is counted by exactly one edge).
 */
export function edgeStep(px: number, py: number, ax: number, ay: number, bx: number, by: number): number {
  if (onSegment(px, py, ax, ay, bx, by)) return EDGE_ON;
  if (ay > py !== by > py && px < ax + ((py - ay) * (bx - ax)) / (by - ay)) return EDGE_CROSSED;
  return EDGE_NONE;
}
