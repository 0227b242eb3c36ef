/**
 * The spatial obligation on one entity, where some of its types are shown only within
 * areas. Each of its types counts only where the entity lies inside that type's areas (a
 * type without areas counts wherever it is): its `location` holds at least one geometry
 * and every geometry it holds lies inside. An entity none of whose types counts is hidden.
 * Otherwise it shows the union of the scopes of the types that count, less what any of its
 * types forbids, and every other geographic attribute it shows (see geographic.ts) is kept
 * only where a type that counts shows it: one without areas, or one whose areas hold all
 * of its geometries; it is removed otherwise. So an entity of an unbounded type A and a
 * bounded type B lying outside B's areas shows what A shows, and nothing of B's.
 *
 * A geometry that cannot be read, or that has more positions than the limit allows,
 * counts as outside: the check never reads more than the limit, and never shows what it
 * did not check.
 *
 * Written as steps (see lib/steps.ts) that report the positions checked, so a large
 * response can be checked in slices between which the event loop serves other requests.
 */
import { readShape, shapeWithin, type Area } from '../geo/index.js';
import type { Steps } from '../lib/index.js';
import type { FilterContext, SpatialLimit } from './context.js';
import { geometriesIn } from './geographic.js';
import { scopePermits, type TypeGrant } from './scopes.js';
import type { AttributeScope } from '../policy/types.js';
import type { JsonObject } from './types.js';

function* allWithin(geometries: readonly unknown[], areas: ReadonlyArray<Area>, limit: SpatialLimit): Steps<boolean> {
  for (const geometry of geometries) {
    const shape = readShape(geometry, limit.maxGeometryPoints);
    if (shape === 'too_large') {
      yield limit.maxGeometryPoints;
      return false;
    }
    if (shape === 'invalid') return false;
    const inside = shapeWithin(shape, areas);
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

function limitOf(ctx: FilterContext): SpatialLimit {
  // createContext sets the limit wherever a type has areas.
  return ctx.spatial as SpatialLimit;
}

/** The entity's types that count where its location is: those without areas, and those whose areas hold it. */
export function* holdingGrants(location: unknown, grants: readonly TypeGrant[], ctx: FilterContext): Steps<readonly TypeGrant[]> {
  if (grants.length === 1) {
    const g = grants[0] as TypeGrant;
    return g.areas === undefined || (yield* locatedIn(location, g.areas, ctx)) ? grants : [];
  }
  const holding: TypeGrant[] = [];
  // Types bounded alike share one list of areas: each list is checked once.
  const inside: Array<[ReadonlyArray<Area>, boolean]> = [];
  for (const g of grants) {
    if (g.areas === undefined) {
      holding.push(g);
      continue;
    }
    let found = inside.find(([areas]) => areas === g.areas)?.[1];
    if (found === undefined) inside.push([g.areas, (found = yield* locatedIn(location, g.areas, ctx))]);
    if (found) holding.push(g);
  }
  return holding;
}

/** True when the location holds at least one geometry and all of them lie inside the areas. */
function* locatedIn(location: unknown, areas: ReadonlyArray<Area>, ctx: FilterContext): Steps<boolean> {
  const at = location === undefined ? undefined : geometriesIn(location, ctx.keyValues);
  return at !== undefined && at.length > 0 && (yield* allWithin(at, areas, limitOf(ctx)));
}

/** True when a type that counts shows the attribute with these geometries (undefined: unreadable). */
function* shownWith(geometries: readonly unknown[] | undefined, iri: string, holding: readonly TypeGrant[], ctx: FilterContext): Steps<boolean> {
  for (const g of holding) {
    if (!scopePermits(g.scope, iri)) continue;
    if (g.areas === undefined) return true;
    if (geometries !== undefined && (yield* allWithin(geometries, g.areas, limitOf(ctx)))) return true;
  }
  return false;
}

/**
 * Cuts `out`, copied under the scope of all of the entity's types, down to what the types
 * that count show: `narrowed` (their scopes' union less what is forbidden; undefined when
 * every type counts) and, for each geographic attribute but the location that placed it,
 * only where one of them shows it. Removals are counted.
 */
export function* keepPlaced(out: JsonObject, placed: Placed, holding: readonly TypeGrant[], narrowed: AttributeScope | undefined, ctx: FilterContext): Steps<void> {
  for (const key of placed.kept) {
    const iri = ctx.expand(key);
    let keep = narrowed === undefined || scopePermits(narrowed, iri);
    if (keep && key !== placed.locationKey) {
      const geometries = geometriesIn(out[key], ctx.keyValues);
      if (geometries === undefined || geometries.length > 0) keep = yield* shownWith(geometries, iri, holding, ctx);
    }
    if (!keep) {
      delete out[key];
      ctx.stats.removedAttributes++;
    }
  }
}

/** True when a geometry shown on its own (a GeoJSON Feature's `geometry`, a copy of `iri`) may be shown. */
export function* geometryShown(geometry: unknown, iri: string, holding: readonly TypeGrant[], ctx: FilterContext): Steps<boolean> {
  return yield* shownWith([geometry], iri, holding, ctx);
}
