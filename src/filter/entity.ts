/**
 * Cuts one entity down to what a view shows, in any representation: normalized (attribute
 * objects or arrays of instances with datasetId), concise, keyValues/simplified, and the
 * temporal forms (instance arrays, temporalValues, aggregatedValues). Only the attribute's
 * name decides, so the representation of its value does not matter; kept values are
 * reused as they are, never copied.
 *
 * Members kept whatever the view: `id`, `type`, `@context` and the system attributes
 * `createdAt`, `modifiedAt`, `deletedAt`. `scope` is governed like any attribute (under its
 * expanded IRI): scopes describe the data and may say more than a contract allows.
 * Names are expanded with the expander the caller passes in, also for `application/ld+json`
 * bodies that carry an `@context` of their own: the gateway builds that expander from the
 * same context the caller sent, which is the one the broker compacted with.
 *
 * Where some of its types are shown only under its data subject's consent, what those
 * types show is first cut to that consent (consent.ts).
 *
 * Where some of its types are shown only within areas, the cut entity then goes through
 * spatial.ts: hidden unless one of its types counts where it lies, cut to what those types
 * show, and stripped of the geographic attributes they do not show where they are.
 */
import { runSteps, type Steps } from '../lib/index.js';
import { createContext, type FilterContext, type SpatialLimit } from './context.js';
import { unfilterable } from './errors.js';
import { holdingGrants, keepPlaced, type Placed } from './spatial.js';
import { consentViewFor, noteReleased, subjectsOf } from './consent.js';
import { keepWithin, spansFor } from './consent-window.js';
import { entityGrants, entityScope, scopePermits, shownScope, type EntityGrants, type TypeGrant } from './scopes.js';
import type { AttributeScope } from '../policy/types.js';
import { isObject, type JsonObject, type TermExpander, type View, type ViewExtras } from './types.js';

const NGSI_LD = 'https://uri.etsi.org/ngsi-ld/';

/** Members never removed: identity, context and system attributes (short and expanded forms). */
const ALWAYS_KEPT: ReadonlySet<string> = new Set([
  'id', 'type', '@id', '@type', '@context',
  'createdAt', 'modifiedAt', 'deletedAt',
  `${NGSI_LD}createdAt`, `${NGSI_LD}modifiedAt`, `${NGSI_LD}deletedAt`,
]);

/** An object that reads as an entity: a string id and a type. */
function looksLikeEntity(value: unknown): value is JsonObject {
  if (!isObject(value)) return false;
  const type = value['type'];
  return typeof value['id'] === 'string' && (typeof type === 'string' || Array.isArray(type));
}

/**
 * A relationship may carry the entity it points to inline (`join=inline`): `entity` next to
 * `object`, `entityList` next to `objectList`, or in keyValues the entity in place of the id.
 * That entity is filtered on its own types; when it is hidden the plain reference remains,
 * which the permitted relationship shows anyway.
 */
function filterInlineInstance(instance: unknown, ctx: FilterContext): unknown {
  if (ctx.keyValues) {
    if (!looksLikeEntity(instance)) return instance;
    const kept = filterEntityIn(instance, ctx);
    if (kept !== undefined) return kept;
    ctx.stats.removedAttributes++;
    return instance['id'];
  }
  if (!isObject(instance)) return instance;
  const single = 'object' in instance && 'entity' in instance;
  const list = 'objectList' in instance && 'entityList' in instance;
  if (!single && !list) return instance;
  const copy: JsonObject = { ...instance };
  if (single) {
    const inline = instance['entity'];
    const kept = looksLikeEntity(inline) ? filterEntityIn(inline, ctx) : undefined;
    if (kept === undefined) {
      delete copy['entity'];
      ctx.stats.removedAttributes++;
    } else {
      copy['entity'] = kept;
    }
  }
  if (list) {
    const inline = instance['entityList'];
    const kept: JsonObject[] = [];
    if (Array.isArray(inline)) {
      for (const item of inline) {
        const k = looksLikeEntity(item) ? filterEntityIn(item, ctx) : undefined;
        if (k === undefined) ctx.stats.removedAttributes++;
        else kept.push(k);
      }
    } else {
      ctx.stats.removedAttributes++;
    }
    copy['entityList'] = kept;
  }
  return copy;
}

function filterInline(value: unknown, ctx: FilterContext): unknown {
  if (!Array.isArray(value)) return filterInlineInstance(value, ctx);
  let copy: unknown[] | undefined;
  for (let i = 0; i < value.length; i++) {
    const item: unknown = value[i];
    const kept = filterInlineInstance(item, ctx);
    if (kept !== item) {
      copy ??= value.slice();
      copy[i] = kept;
    }
  }
  return copy ?? value;
}

/**
 * Copies into `out` the members of `source` the scope permits, and says where the entity
 * is: the value of its location attribute (permitted or not: the spatial check needs it
 * either way) and which members were copied. Attributes fetched only for the obligations
 * are read, never copied, and not counted as removed.
 */
export function filterMembers(source: JsonObject, scope: AttributeScope, ctx: FilterContext, out: JsonObject): Placed {
  let location: unknown;
  let locationKey: string | undefined;
  const kept: string[] = [];
  const fetched = ctx.fetched?.attrs;
  const members = ctx.fetched?.members;
  for (const key of Object.keys(source)) {
    const value = source[key];
    if (ALWAYS_KEPT.has(key)) {
      if (members === undefined || !members.has(key)) out[key] = value;
      continue;
    }
    // Assigning this key would replace the prototype of the output, not add a member.
    if (key === '__proto__') {
      ctx.stats.removedAttributes++;
      continue;
    }
    const iri = ctx.expand(key);
    if (iri === ctx.locationIri) {
      location = value;
      locationKey = key;
    }
    if (fetched?.has(iri)) continue;
    if (scopePermits(scope, iri)) {
      out[key] = filterInline(value, ctx);
      kept.push(key);
    } else {
      ctx.stats.removedAttributes++;
    }
  }
  return { location, locationKey, kept };
}

/**
 * False when the broker returned the entity only for an attribute the gateway added to
 * `attrs`: it holds none of the attributes the caller asked for, so the caller's own query
 * would not have matched it.
 */
export function matchesCallerAttrs(source: JsonObject, ctx: FilterContext): boolean {
  const asked = ctx.fetched?.matchedBy;
  if (asked === undefined) return true;
  for (const key of Object.keys(source)) if (!ALWAYS_KEPT.has(key) && asked.has(ctx.expand(key))) return true;
  return false;
}

/**
 * What the entity's types let it show, wherever it is: a scope, or, where some type is
 * shown only within areas, its types' grants to be placed. Undefined when none is shown.
 */
export function shownFor(source: JsonObject, ctx: FilterContext): { scope: AttributeScope; grants?: EntityGrants } | undefined {
  if (!matchesCallerAttrs(source, ctx)) return undefined;
  // Under consent, what a type shows depends on the entity's data subject.
  const view = ctx.consent === undefined ? ctx.view : consentViewFor(source, ctx.consent, ctx);
  if (ctx.spatial === undefined) {
    const scope = entityScope(source['type'], view, ctx.expand);
    return scope === undefined ? undefined : { scope };
  }
  const type = source['type'];
  let grants: EntityGrants | undefined;
  if (typeof type === 'string' && ctx.consent === undefined) {
    // Most entities have one type, and many share it.
    if (ctx.grantsByType.has(type)) grants = ctx.grantsByType.get(type);
    else ctx.grantsByType.set(type, (grants = entityGrants(type, view, ctx.expand)));
  } else {
    grants = entityGrants(type, view, ctx.expand);
  }
  return grants === undefined ? undefined : { scope: shownScope(grants.grants, grants.forbidden), grants };
}

/** The types of the entity that count where it is (spatial.ts), and the scope they narrow it to (undefined: all count). */
export function* placeEntity(placed: Placed, grants: EntityGrants, ctx: FilterContext): Steps<{ holding: readonly TypeGrant[]; narrowed: AttributeScope | undefined }> {
  const holding = yield* holdingGrants(placed.location, grants.grants, ctx);
  const narrowed = holding.length === grants.grants.length || holding.length === 0 ? undefined : shownScope(holding, grants.forbidden);
  return { holding, narrowed };
}

/**
 * The entity as the view shows it, or undefined when the view hides it entirely; as steps
 * that report the work done (members read, positions checked).
 */
export function* filterEntitySteps(entity: JsonObject, ctx: FilterContext): Steps<JsonObject | undefined> {
  const shown = shownFor(entity, ctx);
  if (shown === undefined) return undefined;
  const removedBefore = ctx.stats.removedAttributes;
  const out: JsonObject = {};
  const placed = filterMembers(entity, shown.scope, ctx, out);
  yield 1 + placed.kept.length;
  if (shown.grants !== undefined) {
    const { holding, narrowed } = yield* placeEntity(placed, shown.grants, ctx);
    if (holding.length === 0) {
      // A hidden entity is counted once, as dropped, not also by its attributes.
      ctx.stats.removedAttributes = removedBefore;
      return undefined;
    }
    yield* keepPlaced(out, placed, holding, narrowed, ctx);
  }
  if (ctx.consent !== undefined && ctx.history !== undefined && !keepConsentedHistory(entity, out, ctx)) {
    ctx.stats.removedAttributes = removedBefore;
    return undefined;
  }
  if (ctx.consent !== undefined) noteReleased(entity, Object.keys(out).filter((k) => !ALWAYS_KEPT.has(k)), ctx.consent, ctx);
  return out;
}

/**
 * Cuts the instances of `out` (the shown entity) to when its data subject's consents held;
 * false when that leaves nothing of an entity that showed something: like another
 * person's, it is not shown at all.
 */
function keepConsentedHistory(source: JsonObject, out: JsonObject, ctx: FilterContext): boolean {
  const ob = ctx.consent!;
  const history = ctx.history!;
  const type = source['type'];
  const types = (Array.isArray(type) ? type : [type]).filter((t): t is string => typeof t === 'string').map((t) => ctx.expand(t));
  const spans = spansFor(types, ob, subjectsOf(source, ob, ctx), (t) => ctx.view.get(t));
  let had = 0;
  let left = 0;
  for (const key of Object.keys(out)) {
    if (ALWAYS_KEPT.has(key)) continue;
    had++;
    const where = spans(ctx.expand(key));
    if (where === 'always') {
      left++;
      continue;
    }
    const kept = keepWithin(out[key], where, history);
    if (kept === undefined) {
      delete out[key];
      ctx.stats.removedAttributes++;
    } else {
      out[key] = kept;
      left++;
    }
  }
  return had === 0 || left > 0;
}

/** The entity as the view shows it, or undefined when the view hides it entirely. */
export function filterEntityIn(entity: JsonObject, ctx: FilterContext): JsonObject | undefined {
  return runSteps(filterEntitySteps(entity, ctx));
}

/**
 * Filters a list of items (entities, entity types, attributes), keeping their order;
 * every item must be an object, and each hidden one is counted as dropped.
 */
export function filterItems(
  items: readonly unknown[],
  filterItem: (item: JsonObject, ctx: FilterContext) => JsonObject | undefined,
  ctx: FilterContext,
  what: string,
): JsonObject[] {
  const kept: JsonObject[] = [];
  for (const item of items) {
    if (!isObject(item)) throw unfilterable(what);
    const out = filterItem(item, ctx);
    if (out === undefined) ctx.stats.droppedEntities++;
    else kept.push(out);
  }
  return kept;
}

/** Filters an array of entities, keeping their order; every item must be an object. */
export function filterEntityList(items: readonly unknown[], ctx: FilterContext): JsonObject[] {
  return filterItems(items, filterEntityIn, ctx, 'entity list item');
}

export type FilterEntityResult = { entity: JsonObject; removedAttributes: number } | { dropped: true };

/**
 * Filters one entity. `spatial` holds the geometry size limit (needed where `extras` bound
 * a type to areas); `options` the NGSI-LD `options` values of the request (keyValues,
 * concise, ...).
 */
export function filterEntity(
  entity: unknown,
  view: View,
  expand: TermExpander,
  spatial?: SpatialLimit,
  options: readonly string[] = [],
  extras?: ViewExtras,
): FilterEntityResult {
  if (!isObject(entity)) throw unfilterable('entity');
  const ctx = createContext(view, expand, spatial, options, extras);
  const out = filterEntityIn(entity, ctx);
  return out === undefined ? { dropped: true } : { entity: out, removedAttributes: ctx.stats.removedAttributes };
}

/** Filters an array of entities; `dropped` counts the entities the view hides. */
export function filterEntities(
  entities: unknown,
  view: View,
  expand: TermExpander,
  spatial?: SpatialLimit,
  options: readonly string[] = [],
  extras?: ViewExtras,
): { items: JsonObject[]; dropped: number; removedAttributes: number } {
  if (!Array.isArray(entities)) throw unfilterable('entity list');
  const ctx = createContext(view, expand, spatial, options, extras);
  const items = filterEntityList(entities, ctx);
  return { items, dropped: ctx.stats.droppedEntities, removedAttributes: ctx.stats.removedAttributes };
}
