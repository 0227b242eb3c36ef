/**
 * Shared shapes of the response filter. Every name in a view is an expanded IRI; every
 * name in a response is as the broker compacted it with the caller's @context, so the
 * filter compares `expand(name)` against the view.
 */
import type { AttributeScope } from '../policy/types.js';

/** Turns a term as it appears in a response (short name, alias, CURIE or IRI) into its IRI. */
export type TermExpander = (term: string) => string;

/** What the caller may see: attribute scope per entity type IRI (from the decision's obligations). */
export type View = ReadonlyMap<string, AttributeScope>;

/** The rest of a decision's view: a scope for types the view does not name, and types never shown. */
export interface ViewExtras {
  otherTypes?: AttributeScope;
  excludeTypes?: ReadonlySet<string>;
}

/**
 * The view as the filter consults it: `get` answers for one type IRI (undefined when
 * entities of that type are not shown for it), `excluded` names types whose entities are
 * hidden whatever their other types say.
 */
export interface TypeView {
  get(typeIri: string): AttributeScope | undefined;
  has(typeIri: string): boolean;
  excluded(typeIri: string): boolean;
  values(): Iterable<AttributeScope>;
}

export function typeViewOf(view: View, extras: ViewExtras = {}): TypeView {
  const { otherTypes, excludeTypes } = extras;
  if (otherTypes === undefined && (excludeTypes === undefined || excludeTypes.size === 0)) {
    return { get: (t) => view.get(t), has: (t) => view.has(t), excluded: () => false, values: () => view.values() };
  }
  const get = (t: string): AttributeScope | undefined => (excludeTypes?.has(t) ? undefined : (view.get(t) ?? otherTypes));
  return {
    get,
    has: (t) => get(t) !== undefined,
    excluded: (t) => excludeTypes?.has(t) ?? false,
    values: () => (otherTypes === undefined ? view.values() : [...view.values(), otherTypes]),
  };
}

/** Running totals of what a filter removed, for result counts and the audit record. */
export interface FilterStats {
  droppedEntities: number;
  removedAttributes: number;
}

export type JsonObject = Record<string, unknown>;

export function isObject(value: unknown): value is JsonObject {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}
