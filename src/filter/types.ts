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

/** Running totals of what a filter removed, for result counts and the audit record. */
export interface FilterStats {
  droppedEntities: number;
  removedAttributes: number;
}

export type JsonObject = Record<string, unknown>;

export function isObject(value: unknown): value is JsonObject {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}
