/**
 * Planar geometry on WGS 84 longitude/latitude for spatial constraints: areas compiled
 * once when a contract is loaded (validated, indexed, antimeridian-aware), entity
 * geometries read within a bound on their size, and the test whether one lies inside the
 * other. Pure functions, no I/O, no dependency on the rest of mimtrust.
 */
export { compileArea, MAX_AREA_POSITIONS } from './area.js';
export type { Area, AreaPolygon, AreaResult } from './area.js';
export { readShape, isGeometry } from './shape.js';
export type { GeometryObject, Shape, ShapePart, ShapeResult } from './shape.js';
export { shapeWithin } from './within.js';
