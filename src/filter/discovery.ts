/**
 * Type and attribute discovery (`/types`, `/types/{type}`, `/attributes`,
 * `/attributes/{attr}`): only types in the view are named, and only attribute names the
 * view permits for at least one readable type. An Attribute names a type only when that
 * type's scope permits the attribute, so discovery cannot tell which hidden attributes a
 * readable type has. Members outside the known shapes are removed.
 *
 * Entities may carry several types, and a prohibition on one of them hides its attributes
 * on all. The broker's summaries do not say which types share an entity, so an attribute
 * some type prohibits is named under a readable type only where the broker lists every
 * type that has it (an Attribute's `typeNames`) and none of those prohibits it. Counts
 * (`entityCount`, `attributeCount`) are kept only where they cannot include a hidden entity.
 */
import type { AttributeScope } from '../policy/types.js';
import type { FilterContext } from './context.js';
import { unfilterable } from './errors.js';
import { permittedForSomeType, scopePermits } from './scopes.js';
import { isObject, type JsonObject } from './types.js';
import { filterItems } from './entity.js';

const ENTITY_TYPE_LIST_MEMBERS: ReadonlySet<string> = new Set(['id', 'type', '@context', 'typeList']);
const ENTITY_TYPE_MEMBERS: ReadonlySet<string> = new Set([
  'id', 'type', '@context', 'typeName', 'attributeNames', 'entityCount', 'attributeDetails',
]);
const ATTRIBUTE_LIST_MEMBERS: ReadonlySet<string> = new Set(['id', 'type', '@context', 'attributeList']);
const ATTRIBUTE_MEMBERS: ReadonlySet<string> = new Set([
  'id', 'type', '@context', 'attributeName', 'attributeCount', 'attributeTypes', 'typeNames',
]);

/**
 * Copies the known members of `source`, taking those in `replaced` from there instead;
 * a member replaced by undefined is removed.
 */
function rebuild(source: JsonObject, known: ReadonlySet<string>, replaced: JsonObject, ctx: FilterContext): JsonObject {
  const out: JsonObject = {};
  for (const key of Object.keys(source)) {
    const value = Object.hasOwn(replaced, key) ? replaced[key] : known.has(key) ? source[key] : undefined;
    if (value === undefined) ctx.stats.removedAttributes++;
    else out[key] = value;
  }
  return out;
}

/**
 * False when some entity of the type may still be hidden, so a broker count of its
 * entities may include one: it carries an excluded type, or the type is shown only within
 * areas.
 */
function countsExact(ctx: FilterContext, typeIri: string): boolean {
  return !ctx.view.excludesAny && ctx.view.areas(typeIri) === undefined;
}

/** Whether discovery names the attribute under a type with this scope, not knowing the entities' other types. */
function namedUnder(scope: AttributeScope, iri: string, ctx: FilterContext): boolean {
  return scopePermits(scope, iri) && !ctx.view.forbidsSomewhere(iri);
}

/** The name an item is known by: its compacted name member, else its `id` (the IRI). */
function nameOf(item: JsonObject, member: string, what: string): string {
  const name = item[member] ?? item['id'];
  if (typeof name !== 'string') throw unfilterable(what);
  return name;
}

function stringList(value: unknown, what: string): string[] {
  if (!Array.isArray(value)) throw unfilterable(what);
  for (const item of value) if (typeof item !== 'string') throw unfilterable(what);
  return value as string[];
}

/** EntityTypeList: `typeList` cut to the types in the view. */
export function filterEntityTypeList(list: JsonObject, ctx: FilterContext): JsonObject {
  const kept: string[] = [];
  for (const name of stringList(list['typeList'], 'EntityTypeList')) {
    if (ctx.view.has(ctx.expand(name))) kept.push(name);
    else ctx.stats.droppedEntities++;
  }
  return rebuild(list, ENTITY_TYPE_LIST_MEMBERS, { typeList: kept }, ctx);
}

function filterAttributeNames(names: unknown, scope: AttributeScope, ctx: FilterContext): string[] {
  const kept: string[] = [];
  for (const name of stringList(names, 'attribute names')) {
    if (namedUnder(scope, ctx.expand(name), ctx)) kept.push(name);
    else ctx.stats.removedAttributes++;
  }
  return kept;
}

function filterAttributeDetails(details: unknown, scope: AttributeScope, typeIri: string, ctx: FilterContext): JsonObject[] {
  if (!Array.isArray(details)) throw unfilterable('attributeDetails');
  const kept: JsonObject[] = [];
  for (const detail of details) {
    if (!isObject(detail)) throw unfilterable('attributeDetails item');
    const iri = ctx.expand(nameOf(detail, 'attributeName', 'attributeDetails item'));
    if (!namedUnder(scope, iri, ctx)) {
      ctx.stats.removedAttributes++;
      continue;
    }
    const replaced: JsonObject = {};
    if ('typeNames' in detail) replaced['typeNames'] = filterTypeNames(stringList(detail['typeNames'], 'typeNames'), iri, ctx);
    if (!countsExact(ctx, typeIri)) replaced['attributeCount'] = undefined;
    kept.push(rebuild(detail, ATTRIBUTE_MEMBERS, replaced, ctx));
  }
  return kept;
}

/**
 * EntityType (details=true item) or EntityTypeInfo (`/types/{type}`): undefined when the
 * type is not in the view; otherwise its attribute names and details cut to its scope.
 */
export function filterEntityTypeIn(item: JsonObject, ctx: FilterContext): JsonObject | undefined {
  const typeIri = ctx.expand(nameOf(item, 'typeName', 'EntityType'));
  const scope = ctx.view.get(typeIri);
  if (scope === undefined) return undefined;
  const replaced: JsonObject = {};
  if ('attributeNames' in item) replaced['attributeNames'] = filterAttributeNames(item['attributeNames'], scope, ctx);
  if ('attributeDetails' in item) replaced['attributeDetails'] = filterAttributeDetails(item['attributeDetails'], scope, typeIri, ctx);
  if (!countsExact(ctx, typeIri)) replaced['entityCount'] = undefined;
  return rebuild(item, ENTITY_TYPE_MEMBERS, replaced, ctx);
}

/** Types of `typeNames` that are in the view and permit the attribute. */
function filterTypeNames(names: readonly string[], attributeIri: string, ctx: FilterContext): string[] {
  const kept: string[] = [];
  for (const name of names) {
    const scope = ctx.view.get(ctx.expand(name));
    if (scope !== undefined && scopePermits(scope, attributeIri)) kept.push(name);
  }
  return kept;
}

/** AttributeList: `attributeList` cut to names some readable type permits and no type prohibits. */
export function filterAttributeList(list: JsonObject, ctx: FilterContext): JsonObject {
  const kept: string[] = [];
  for (const name of stringList(list['attributeList'], 'AttributeList')) {
    const iri = ctx.expand(name);
    if (permittedForSomeType(ctx.view, iri) && !ctx.view.forbidsSomewhere(iri)) kept.push(name);
    else ctx.stats.droppedEntities++;
  }
  return rebuild(list, ATTRIBUTE_LIST_MEMBERS, { attributeList: kept }, ctx);
}

/**
 * Attribute (details=true item or `/attributes/{attr}`): undefined when no readable type
 * permits it, when one of the types listed as having it prohibits it (or, listing none,
 * any type does), or when it lists types and none of them is both readable and permits it.
 * `attributeCount` stays only when every listed type is shown with the attribute.
 */
export function filterAttributeIn(item: JsonObject, ctx: FilterContext): JsonObject | undefined {
  const iri = ctx.expand(nameOf(item, 'attributeName', 'Attribute'));
  if (!permittedForSomeType(ctx.view, iri)) return undefined;
  const replaced: JsonObject = {};
  let exact = false;
  if ('typeNames' in item) {
    const names = stringList(item['typeNames'], 'typeNames');
    for (const name of names) {
      const forbidden = ctx.view.forbidden(ctx.expand(name));
      if (forbidden !== undefined && scopePermits(forbidden, iri)) return undefined;
    }
    const typeNames = filterTypeNames(names, iri, ctx);
    if (typeNames.length === 0) return undefined;
    replaced['typeNames'] = typeNames;
    exact = typeNames.length === names.length && names.every((name) => countsExact(ctx, ctx.expand(name)));
  } else if (ctx.view.forbidsSomewhere(iri)) {
    return undefined;
  }
  if (!exact) replaced['attributeCount'] = undefined;
  return rebuild(item, ATTRIBUTE_MEMBERS, replaced, ctx);
}

/** An array of EntityType or Attribute items; hidden items are dropped and counted. */
export function filterDiscoveryItems(
  items: readonly unknown[],
  filterItem: (item: JsonObject, ctx: FilterContext) => JsonObject | undefined,
  ctx: FilterContext,
): JsonObject[] {
  return filterItems(items, filterItem, ctx, 'discovery item');
}
