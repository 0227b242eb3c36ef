/**
 * GeoJSON representations (`format=geojson`, `Accept: application/geo+json`). A Feature holds
 * the entity's `type` and attributes in `properties`, and a copy of one of them, the
 * geometry property (`geometryProperty`, default `location`), in `geometry`. That copy is
 * shown only when the geometry property itself is permitted and, where the entity's types
 * are shown within areas, one of the types that count shows it where it lies, so neither a
 * forbidden nor an outside geometry leaks through it; `bbox`, derived from geometries,
 * goes with it.
 */
import type { Steps } from '../lib/index.js';
import type { FilterContext } from './context.js';
import { filterMembers, placeEntity, shownFor } from './entity.js';
import { unfilterable } from './errors.js';
import { scopePermits } from './scopes.js';
import { geometryShown, keepPlaced } from './spatial.js';
import { isObject, type JsonObject } from './types.js';

export function isFeature(value: unknown): value is JsonObject {
  return isObject(value) && value['type'] === 'Feature' && isObject(value['properties']);
}

export function isFeatureCollection(value: unknown): value is JsonObject {
  return isObject(value) && value['type'] === 'FeatureCollection' && Array.isArray(value['features']);
}

/** The Feature as the view shows it, or undefined when the view hides the entity. */
export function* filterFeatureSteps(feature: JsonObject, geometryIri: string, ctx: FilterContext): Steps<JsonObject | undefined> {
  const source = feature['properties'];
  if (!isObject(source)) throw unfilterable('GeoJSON Feature');
  const shown = shownFor(source, ctx);
  if (shown === undefined) return undefined;
  const removedBefore = ctx.stats.removedAttributes;
  const properties: JsonObject = {};
  const placed = filterMembers(source, shown.scope, ctx, properties);
  yield 1 + placed.kept.length;
  let showGeometry = scopePermits(shown.scope, geometryIri);
  const geometry = feature['geometry'];
  if (shown.grants !== undefined) {
    // Without `location` among the properties (not asked for), the geometry stands for it.
    const located = placed.location === undefined && geometryIri === ctx.locationIri ? { ...placed, location: geometry } : placed;
    const { holding, narrowed } = yield* placeEntity(located, shown.grants, ctx);
    if (holding.length === 0) {
      ctx.stats.removedAttributes = removedBefore;
      return undefined;
    }
    yield* keepPlaced(properties, located, holding, narrowed, ctx);
    if (narrowed !== undefined) showGeometry = scopePermits(narrowed, geometryIri);
    if (showGeometry && geometry !== null && geometry !== located.location) {
      showGeometry = yield* geometryShown(geometry, geometryIri, holding, ctx);
    }
  }
  const out: JsonObject = {};
  for (const key of Object.keys(feature)) {
    switch (key) {
      case 'id':
      case 'type':
      case '@context':
        out[key] = feature[key];
        break;
      case 'properties':
        out[key] = properties;
        break;
      case 'geometry':
        out[key] = showGeometry ? geometry : null;
        break;
      case 'bbox':
        if (showGeometry) out[key] = feature[key];
        else ctx.stats.removedAttributes++;
        break;
      default:
        // Members outside the Feature shape are not known to be safe to show.
        ctx.stats.removedAttributes++;
    }
  }
  return out;
}

export function* filterFeatureCollectionSteps(collection: JsonObject, geometryIri: string, ctx: FilterContext): Steps<JsonObject> {
  const features = collection['features'];
  if (!Array.isArray(features)) throw unfilterable('GeoJSON FeatureCollection');
  const kept: JsonObject[] = [];
  for (const feature of features) {
    if (!isFeature(feature)) throw unfilterable('GeoJSON FeatureCollection member');
    const out = yield* filterFeatureSteps(feature, geometryIri, ctx);
    if (out === undefined) ctx.stats.droppedEntities++;
    else kept.push(out);
  }
  const out: JsonObject = {};
  for (const key of Object.keys(collection)) {
    if (key === 'type' || key === '@context') out[key] = collection[key];
    else if (key === 'features') out[key] = kept;
    // A collection bbox spans hidden features too, and anything else is unknown.
    else ctx.stats.removedAttributes++;
  }
  return out;
}
