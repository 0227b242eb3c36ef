/**
 * GeoJSON representations (`format=geojson`, `Accept: application/geo+json`). A Feature holds
 * the entity's `type` and attributes in `properties`, and a copy of one of them, the
 * geometry property (`geometryProperty`, default `location`), in `geometry`. That copy is
 * shown only when the geometry property itself is permitted, so a forbidden location never
 * leaks through it; `bbox`, derived from geometries, goes with it.
 */
import type { FilterContext } from './context.js';
import { filterMembers } from './entity.js';
import { unfilterable } from './errors.js';
import { locatedWithin } from './location.js';
import { entityScope, scopePermits } from './scopes.js';
import { isObject, type JsonObject } from './types.js';

export function isFeature(value: unknown): value is JsonObject {
  return isObject(value) && value['type'] === 'Feature' && isObject(value['properties']);
}

export function isFeatureCollection(value: unknown): value is JsonObject {
  return isObject(value) && value['type'] === 'FeatureCollection' && Array.isArray(value['features']);
}

/** The Feature as the view shows it, or undefined when the view hides the entity. */
export function filterFeatureIn(feature: JsonObject, geometryIri: string, ctx: FilterContext): JsonObject | undefined {
  const source = feature['properties'];
  if (!isObject(source)) throw unfilterable('GeoJSON Feature');
  const scope = entityScope(source['type'], ctx.view, ctx.expand);
  if (scope === undefined) return undefined;
  const removedBefore = ctx.stats.removedAttributes;
  const properties: JsonObject = {};
  let location = filterMembers(source, scope, ctx, properties);
  if (ctx.areas !== undefined) {
    if (location === undefined && geometryIri === ctx.locationIri) location = feature['geometry'];
    if (!locatedWithin(location, ctx.areas, false)) {
      ctx.stats.removedAttributes = removedBefore;
      return undefined;
    }
  }
  const showGeometry = scopePermits(scope, geometryIri);
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
        out[key] = showGeometry ? feature[key] : null;
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

export function filterFeatureCollectionIn(collection: JsonObject, geometryIri: string, ctx: FilterContext): JsonObject {
  const features = collection['features'];
  if (!Array.isArray(features)) throw unfilterable('GeoJSON FeatureCollection');
  const kept: JsonObject[] = [];
  for (const feature of features) {
    if (!isFeature(feature)) throw unfilterable('GeoJSON FeatureCollection member');
    const out = filterFeatureIn(feature, geometryIri, ctx);
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
