/**
 * The spatial obligation on one entity, once its attributes are cut to the view. The
 * entity is shown only when its `location` holds at least one geometry and every geometry
 * it holds lies inside the permitted areas; then every other geographic attribute it
 * shows (see geographic.ts) is kept only when all of its geometries lie inside too, and
 * removed otherwise. A geometry that cannot be read, or that has more positions than the
 * limit allows, counts as outside: the check never reads more than the limit, and never
 * shows what it did not check.
 *
 * Written as steps (see lib/steps.ts) that report the positions checked, so a large
 * response can be checked in slices between which the event loop serves other requests.
 */
import { readShape, shapeWithin } from '../geo/index.js';
import type { Steps } from '../lib/index.js';
import type { FilterContext, SpatialLimit } from './context.js';
import { geometriesIn } from './geographic.js';
import type { JsonObject } from './types.js';

function* allWithin(geometries: readonly unknown[], limit: SpatialLimit): Steps<boolean> {
  for (const geometry of geometries) {
    const shape = readShape(geometry, limit.maxGeometryPoints);
    if (shape === 'too_large') {
      yield limit.maxGeometryPoints;
      return false;
    }
    if (shape === 'invalid') return false;
    const inside = shapeWithin(shape, limit.areas);
    yield shape.points;
    if (!inside) return false;
  }
  return true;
}

/** The attributes of an entity the spatial check reads, as the attribute filter found them. */
export interface Placed {
  /** Value of the entity's `location` (shown or not: it places the entity either way). */
  location: unknown;
  /** The member that held it. */
  locationKey: string | undefined;
  /** Members copied to the output besides identity, context and system members. */
  kept: readonly string[];
}

/**
 * False when the entity is to be hidden; otherwise removes from `out` each shown
 * geographic attribute not entirely inside, counting it as removed.
 */
export function* placeWithin(out: JsonObject, placed: Placed, limit: SpatialLimit, ctx: FilterContext): Steps<boolean> {
  if (placed.location === undefined) return false;
  const at = geometriesIn(placed.location, ctx.keyValues);
  if (at === undefined || at.length === 0 || !(yield* allWithin(at, limit))) return false;
  for (const key of placed.kept) {
    if (key === placed.locationKey) continue;
    const geometries = geometriesIn(out[key], ctx.keyValues);
    if (geometries !== undefined && geometries.length === 0) continue;
    if (geometries === undefined || !(yield* allWithin(geometries, limit))) {
      delete out[key];
      ctx.stats.removedAttributes++;
    }
  }
  return true;
}

/** True when a geometry shown on its own (a GeoJSON Feature's `geometry`) lies inside. */
export function* geometryWithin(geometry: unknown, limit: SpatialLimit): Steps<boolean> {
  return yield* allWithin([geometry], limit);
}
