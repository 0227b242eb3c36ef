/**
 * Filters and projections shared by query parameters and query-shaped bodies (batch
 * query, subscriptions): each one is recorded as the attributes it reads.
 */
import { projectionAttrs } from './lists.js';
import { parseQ } from './q-language.js';
import type { Touches } from './touches.js';

/** `id` and `type` in a projection select the entity's own members, not attributes. */
const NOT_ATTRIBUTES = new Set(['id', 'type', '@id', '@type']);

/** A read of every attribute an entity has: a join, or an aggregation that names none. */
export const EVERY_ATTRIBUTE = '*';

/** Where a geo-query reads its geometry when no geoproperty is named. */
export const DEFAULT_GEOPROPERTY = 'location';

export function recordQ(q: string, t: Touches): void {
  t.readAll(parseQ(q), 'q');
}

/** A scope query reads the entity's `scope` and nothing else. */
export function recordScopeQ(t: Touches): void {
  t.read('scope', 'scopeQ');
}

export function recordGeoQuery(geoproperty: string | undefined, t: Touches): void {
  t.read(geoproperty ?? DEFAULT_GEOPROPERTY, 'geoproperty');
}

/** Requested attributes are both touched and read. */
export function recordAttrs(attrs: readonly string[], t: Touches): void {
  for (const a of attrs) {
    t.attrs.add(a);
    t.read(a, 'attrs');
  }
}

export function recordProjection(value: string, via: 'pick' | 'omit', t: Touches): void {
  for (const a of projectionAttrs(value, via)) {
    if (NOT_ATTRIBUTES.has(a)) continue;
    if (via === 'pick') t.attrs.add(a);
    t.read(a, via);
  }
}

/** Following relationships (join) may read any attribute of any linked entity. */
export function recordJoin(t: Touches): void {
  t.read(EVERY_ATTRIBUTE, 'join');
}
