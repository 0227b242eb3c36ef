/**
 * One entry point for the gateway: given the operation and the broker's response body,
 * returns the body cut down to the decision's view. Every operation is listed either as
 * filtered (with the shapes it may answer with) or as carrying no entity data; an
 * operation in neither list, or a body of an unexpected shape, is refused.
 *
 * The work is written once as steps: `filterResponse` runs them straight through,
 * `filterResponseInSlices` gives the event loop a turn every SLICE_UNITS units of work
 * (members read, geometry positions checked), so a large response under a spatial
 * constraint does not hold up other requests. Each turn is announced on the diagnostics
 * channel `mimtrust:filter` (`{event: 'slice' | 'end', operation, slices}`).
 */
import { channel } from 'node:diagnostics_channel';
import { runSteps, runStepsInSlices, type Steps } from '../lib/index.js';
import type { Operation } from '../ngsi/types.js';
import { createContext, type Fetched, type FilterContext } from './context.js';
import type { History } from './consent-window.js';
import {
  filterAttributeIn, filterAttributeList, filterDiscoveryItems, filterEntityTypeIn, filterEntityTypeList,
} from './discovery.js';
import { filterEntitySteps } from './entity.js';
import { notVisible, unfilterable } from './errors.js';
import { filterFeatureCollectionSteps, filterFeatureSteps, isFeature, isFeatureCollection } from './geojson.js';
import { isObject, type JsonObject, type Released, type TermExpander, type View, type ViewExtras } from './types.js';

/**
 * Work done between two turns of the event loop: about as many geometry positions, or
 * entity members, as take a few milliseconds to check (see bench/spatial.mjs).
 */
export const SLICE_UNITS = 10_000;

const slices = channel('mimtrust:filter');

/** The decision's view and the rest of what it shows (ViewExtras), and the request they apply to. */
export interface FilterResponseInput extends ViewExtras {
  operation: Operation;
  body: unknown;
  view: View;
  /** Positions a geometry may have to be checked against an area (required with areas). */
  maxGeometryPoints?: number;
  /** Attributes the broker was asked for only because the obligations read them. */
  fetched?: Fetched | undefined;
  expand: TermExpander;
  /** `geometryProperty` of the request, as the caller wrote it; default `location`. */
  geometryProperty?: string | undefined;
  /** `geojson` when the caller asked for GeoJSON (format parameter or Accept). */
  format?: 'geojson' | undefined;
  /** NGSI-LD `options` values of the request. */
  options: readonly string[];
  /** For a temporal answer: the time its instances are placed by. */
  history?: History | undefined;
}

export interface FilterResponseResult {
  body: unknown;
  /** Entities (features, discovery items) hidden: subtract from result counts. */
  droppedEntities: number;
  /** Attributes (and other members) removed from what is shown. */
  removedAttributes: number;
  /** Data subject -> what was shown of their entities under their consent; absent when nothing was. */
  released?: ReadonlyMap<string, Released>;
}

type Shape = 'entities' | 'entity' | 'types' | 'type' | 'attributes' | 'attribute' | 'none';

/**
 * How each operation's success body is filtered. Write operations answer with nothing,
 * ids or batch results (`success` ids, `errors`); subscriptions, registrations, hosted
 * contexts, information and entity maps carry no entity attributes and are governed by
 * the decision on the request alone.
 */
const SHAPES: Readonly<Record<Operation, Shape>> = {
  'entity.query': 'entities',
  'batch.query': 'entities',
  'temporal.query': 'entities',
  'temporal.batch.query': 'entities',
  'entity.retrieve': 'entity',
  'temporal.retrieve': 'entity',
  'types.list': 'types',
  'types.retrieve': 'type',
  'attributes.list': 'attributes',
  'attributes.retrieve': 'attribute',
  'entity.create': 'none', 'entity.replace': 'none', 'entity.merge': 'none', 'entity.delete': 'none',
  'attrs.append': 'none', 'attrs.update': 'none', 'attr.update': 'none', 'attr.replace': 'none', 'attr.delete': 'none',
  'batch.create': 'none', 'batch.upsert': 'none', 'batch.update': 'none', 'batch.delete': 'none', 'batch.merge': 'none',
  'temporal.create': 'none', 'temporal.delete': 'none', 'temporal.attrs.append': 'none', 'temporal.attr.delete': 'none',
  'temporal.instance.modify': 'none', 'temporal.instance.delete': 'none',
  'subscription.create': 'none', 'subscription.list': 'none', 'subscription.retrieve': 'none',
  'subscription.update': 'none', 'subscription.delete': 'none',
  'csource.create': 'none', 'csource.list': 'none', 'csource.retrieve': 'none', 'csource.update': 'none', 'csource.delete': 'none',
  'csourceSubscription.create': 'none', 'csourceSubscription.list': 'none', 'csourceSubscription.retrieve': 'none',
  'csourceSubscription.update': 'none', 'csourceSubscription.delete': 'none',
  'jsonldContexts.list': 'none', 'jsonldContexts.create': 'none', 'jsonldContexts.retrieve': 'none', 'jsonldContexts.delete': 'none',
  'info.sourceIdentity': 'none', 'info.conformance': 'none',
  'entityMap.create': 'none', 'entityMap.list': 'none', 'entityMap.retrieve': 'none', 'entityMap.update': 'none', 'entityMap.delete': 'none',
};

/** Operations answering with a list of entities (the ones that take `count=true`). */
export function listsEntities(op: Operation): boolean {
  return Object.hasOwn(SHAPES, op) && SHAPES[op] === 'entities';
}

/** Operations answering with one entity, type or attribute, or "not found". */
export function answersOneResource(op: Operation): boolean {
  if (!Object.hasOwn(SHAPES, op)) return false;
  const shape = SHAPES[op];
  return shape === 'entity' || shape === 'type' || shape === 'attribute';
}

/** One member of an entity list: a Feature or an entity, as the requested format says. */
function* filterListItem(item: unknown, geojson: boolean | undefined, geometryIri: string, ctx: FilterContext): Steps<JsonObject | undefined> {
  const feature = geojson ?? isFeature(item);
  if (feature) {
    if (!isFeature(item)) throw unfilterable('GeoJSON Feature');
    return yield* filterFeatureSteps(item, geometryIri, ctx);
  }
  if (!isObject(item)) throw unfilterable('entity');
  return yield* filterEntitySteps(item, ctx);
}

function* filterList(items: readonly unknown[], geojson: boolean | undefined, geometryIri: string, ctx: FilterContext): Steps<JsonObject[]> {
  const kept: JsonObject[] = [];
  for (const item of items) {
    const out = yield* filterListItem(item, geojson, geometryIri, ctx);
    if (out === undefined) ctx.stats.droppedEntities++;
    else kept.push(out);
  }
  return kept;
}

/**
 * Entity bodies: an array of entities or Features (queries; a retrieve with `join=flat`),
 * a FeatureCollection, or a single entity or Feature (retrieve), which answers "not found"
 * when hidden.
 */
function* filterEntityBody(body: unknown, single: boolean, geojson: boolean | undefined, geometryIri: string, ctx: FilterContext): Steps<unknown> {
  if (Array.isArray(body)) return yield* filterList(body, geojson, geometryIri, ctx);
  if (isFeatureCollection(body)) return yield* filterFeatureCollectionSteps(body, geometryIri, ctx);
  if (geojson === true && !isFeature(body)) throw unfilterable('GeoJSON body');
  if (!single || !isObject(body)) throw unfilterable(single ? 'entity' : 'entity list');
  const out = yield* filterListItem(body, geojson, geometryIri, ctx);
  if (out === undefined) throw notVisible();
  return out;
}

function filterTypesBody(body: unknown, ctx: FilterContext): unknown {
  if (Array.isArray(body)) return filterDiscoveryItems(body, filterEntityTypeIn, ctx);
  if (isObject(body) && 'typeList' in body) return filterEntityTypeList(body, ctx);
  throw unfilterable('type list');
}

function filterAttributesBody(body: unknown, ctx: FilterContext): unknown {
  if (Array.isArray(body)) return filterDiscoveryItems(body, filterAttributeIn, ctx);
  if (isObject(body) && 'attributeList' in body) return filterAttributeList(body, ctx);
  throw unfilterable('attribute list');
}

function filterSingle(body: unknown, filterItem: (item: JsonObject, ctx: FilterContext) => JsonObject | undefined, ctx: FilterContext): JsonObject {
  if (!isObject(body)) throw unfilterable('discovery item');
  const out = filterItem(body, ctx);
  if (out === undefined) throw notVisible();
  return out;
}

function shapeOf(operation: Operation): Shape {
  const shape: Shape | undefined = Object.hasOwn(SHAPES, operation) ? SHAPES[operation] : undefined;
  if (shape === undefined) throw unfilterable(`operation ${String(operation)}`);
  return shape;
}

function contextFor(input: FilterResponseInput): FilterContext {
  const { maxGeometryPoints } = input;
  const limit = maxGeometryPoints === undefined ? undefined : { maxGeometryPoints };
  return createContext(input.view, input.expand, limit, input.options, input, input.fetched, input.history);
}

function* filterSteps(input: FilterResponseInput, shape: Shape): Steps<FilterResponseResult> {
  const ctx = contextFor(input);
  // When the format is known it decides; otherwise GeoJSON is recognised by its shape.
  const geojson = input.format === 'geojson' ? true : undefined;
  let body: unknown;
  switch (shape) {
    case 'entities':
    case 'entity':
      body = yield* filterEntityBody(input.body, shape === 'entity', geojson, input.expand(input.geometryProperty ?? 'location'), ctx);
      break;
    case 'types': body = filterTypesBody(input.body, ctx); break;
    case 'type': body = filterSingle(input.body, filterEntityTypeIn, ctx); break;
    case 'attributes': body = filterAttributesBody(input.body, ctx); break;
    case 'attribute': body = filterSingle(input.body, filterAttributeIn, ctx); break;
    case 'none': body = input.body; break;
  }
  const out: FilterResponseResult = { body, droppedEntities: ctx.stats.droppedEntities, removedAttributes: ctx.stats.removedAttributes };
  if (ctx.stats.released !== undefined) out.released = ctx.stats.released;
  return out;
}

/** No body means nothing to show, hence nothing to cut. */
function passesUncut(shape: Shape, body: unknown): boolean {
  return shape === 'none' || body === undefined || body === null;
}

/**
 * Filters a broker response for the caller. Throws MimtrustError INTERNAL
 * (`unfilterable_response`) for a body it cannot read, INTERNAL (`invalid_spatial_constraint`)
 * for areas without `maxGeometryPoints`, and NOT_FOUND (`filtered_out`) when a single
 * requested entity, type or attribute is hidden.
 */
export function filterResponse(input: FilterResponseInput): FilterResponseResult {
  const shape = shapeOf(input.operation);
  if (passesUncut(shape, input.body)) return { body: input.body, droppedEntities: 0, removedAttributes: 0 };
  return runSteps(filterSteps(input, shape));
}

/** `filterResponse`, giving the event loop a turn between slices of the work. */
export async function filterResponseInSlices(input: FilterResponseInput): Promise<FilterResponseResult> {
  const shape = shapeOf(input.operation);
  if (passesUncut(shape, input.body)) return { body: input.body, droppedEntities: 0, removedAttributes: 0 };
  const { operation } = input;
  let count = 0;
  const result = await runStepsInSlices(filterSteps(input, shape), SLICE_UNITS, () => {
    count++;
    if (slices.hasSubscribers) slices.publish({ event: 'slice', operation, slices: count });
  });
  if (slices.hasSubscribers) slices.publish({ event: 'end', operation, slices: count });
  return result;
}
