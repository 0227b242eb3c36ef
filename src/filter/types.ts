/**
 * Shared shapes of the response filter. Every name in a view is an expanded IRI; every
 * name in a response is as the broker compacted it with the caller's @context, so the
 * filter compares `expand(name)` against the view.
 */
import { isObject, type JsonObject } from '../lib/index.js';
import { scopePermits } from '../policy/scope.js';
import type { AttributeScope, ShownObligations } from '../policy/types.js';
import type { Area } from '../geo/index.js';

/** Turns a term as it appears in a response (short name, alias, CURIE or IRI) into its IRI. */
export type TermExpander = (term: string) => string;

/** What the caller may see: attribute scope per entity type IRI (from the decision's obligations). */
export type View = ReadonlyMap<string, AttributeScope>;

/**
 * The rest of a decision's view: a scope for types the view does not name, types never
 * shown, attributes prohibited per type (removed from every entity carrying the type),
 * the areas bounding what a type shows (per type of the view, and for the other types),
 * and the types shown only with their data subject's consent.
 */
export type ViewExtras = Omit<ShownObligations, 'view'>;

/**
 * The view as the filter consults it: `get` answers for one type IRI (undefined when
 * entities of that type are not shown for it), `excluded` names types whose entities are
 * hidden whatever their other types say, `forbidden` what a type takes away from every
 * entity carrying it, and `forbidsSomewhere` whether any type takes an attribute away.
 */
export interface TypeView {
  get(typeIri: string): AttributeScope | undefined;
  has(typeIri: string): boolean;
  excluded(typeIri: string): boolean;
  forbidden(typeIri: string): AttributeScope | undefined;
  forbidsSomewhere(attrIri: string): boolean;
  /** True when entities of a shown type may still be hidden (excluded types). */
  readonly excludesAny: boolean;
  values(): Iterable<AttributeScope>;
  /** Areas an entity must lie in to be shown for this type (undefined: anywhere); for a type `get` answers. */
  areas(typeIri: string): ReadonlyArray<Area> | undefined;
  /** True when some type is shown only within areas. */
  readonly bounded: boolean;
}

const NO_FORBIDS: ReadonlyMap<string, AttributeScope> = new Map();

export function typeViewOf(view: View, extras: ViewExtras = {}): TypeView {
  const { otherTypes, excludeTypes, within, otherTypesWithin } = extras;
  const forbids = extras.forbidTypes ?? NO_FORBIDS;
  const forbidden = (t: string): AttributeScope | undefined => forbids.get(t);
  const forbidsSomewhere = (iri: string): boolean => {
    for (const scope of forbids.values()) if (scopePermits(scope, iri)) return true;
    return false;
  };
  const areas = (t: string): ReadonlyArray<Area> | undefined => (view.has(t) ? within?.get(t) : otherTypesWithin);
  const bounded = (within !== undefined && within.size > 0) || otherTypesWithin !== undefined;
  if (otherTypes === undefined && (excludeTypes === undefined || excludeTypes.size === 0)) {
    return {
      get: (t) => view.get(t), has: (t) => view.has(t), excluded: () => false,
      forbidden, forbidsSomewhere, excludesAny: false, values: () => view.values(), areas, bounded,
    };
  }
  const get = (t: string): AttributeScope | undefined => (excludeTypes?.has(t) ? undefined : (view.get(t) ?? otherTypes));
  return {
    get,
    has: (t) => get(t) !== undefined,
    excluded: (t) => excludeTypes?.has(t) ?? false,
    forbidden,
    forbidsSomewhere,
    excludesAny: (excludeTypes?.size ?? 0) > 0,
    values: () => (otherTypes === undefined ? view.values() : [...view.values(), otherTypes]),
    areas,
    bounded,
  };
}

/** Running totals of what a filter removed, for result counts and the audit record. */
export interface FilterStats {
  droppedEntities: number;
  removedAttributes: number;
  /** Data subject -> what was shown of their entities under their consent (consent.ts). */
  released?: Map<string, Released>;
}

/** The entity types and attributes (IRIs) shown of one data subject's entities; never values. */
export interface Released {
  types: Set<string>;
  attrs: Set<string>;
}

export { isObject, type JsonObject };
