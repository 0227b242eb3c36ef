/** What the query parameters of a request touch and read. */
import { EVERY_ATTRIBUTE, recordAttrs, recordGeoQuery, recordJoin, recordProjection, recordQ, recordScopeQ } from './filters.js';
import { projectionAttrs, splitList } from './lists.js';
import type { Touches } from './touches.js';
import { parseTypeExpression } from './type-expression.js';

const GEO_QUERY = ['georel', 'geometry', 'coordinates', 'geoproperty'] as const;

/**
 * An aggregation reads the attributes it aggregates: those `attrs` (or `pick`) name, or
 * every attribute when neither does.
 */
function recordAggregation(attrs: string | undefined, pick: string | undefined, t: Touches): void {
  if (attrs !== undefined) t.readAll(splitList(attrs, 'attrs'), 'aggr');
  else if (pick !== undefined) t.readAll(projectionAttrs(pick, 'pick'), 'aggr');
  else t.read(EVERY_ATTRIBUTE, 'aggr');
}
const GEOJSON = 'application/geo+json';

/** True when the Accept header lists GeoJSON among its media ranges. */
export function acceptsGeoJson(accept: string | string[] | undefined): boolean {
  if (accept === undefined) return false;
  const value = Array.isArray(accept) ? accept.join(',') : accept;
  if (!value.toLowerCase().includes(GEOJSON)) return false;
  return value.split(',').some((range) => (range.split(';')[0] ?? '').trim().toLowerCase() === GEOJSON);
}

/**
 * Records the parameters' entity ids, types, attributes and filter reads into `t`.
 * Returns the response format asked for: GeoJSON (by Accept or `format`) wins because
 * it decides the response's shape.
 */
export function applyQueryParams(
  params: ReadonlyMap<string, string>,
  accept: string | string[] | undefined,
  t: Touches,
): string | undefined {
  // No parameter (a read by id, most often): only the Accept header can ask for anything.
  if (params.size === 0 && t.options.size === 0) return acceptsGeoJson(accept) ? 'geojson' : undefined;
  const id = params.get('id');
  if (id !== undefined) for (const e of splitList(id, 'id')) t.entityIds.add(e);
  const idPattern = params.get('idPattern');
  if (idPattern !== undefined) t.idPatterns.add(idPattern);
  const type = params.get('type');
  if (type !== undefined) for (const ty of parseTypeExpression(type)) t.types.add(ty);

  const attrs = params.get('attrs');
  if (attrs !== undefined) recordAttrs(splitList(attrs, 'attrs'), t);
  const pick = params.get('pick');
  if (pick !== undefined) recordProjection(pick, 'pick', t);
  const omit = params.get('omit');
  if (omit !== undefined) recordProjection(omit, 'omit', t);

  const q = params.get('q');
  if (q !== undefined) recordQ(q, t);
  if (params.has('scopeQ')) recordScopeQ(t);
  if (GEO_QUERY.some((p) => params.has(p))) recordGeoQuery(params.get('geoproperty'), t);
  const timeproperty = params.get('timeproperty');
  if (timeproperty !== undefined) t.read(timeproperty, 'timeproperty');
  if ((params.has('join') && params.get('join') !== '@none') || params.has('joinLevel')) recordJoin(t);

  const options = params.get('options');
  if (options !== undefined) for (const o of splitList(options, 'options')) t.options.add(o);

  const formatParam = params.get('format');
  const geojson = formatParam === 'geojson' || acceptsGeoJson(accept);
  // A named geometry property is forwarded and read by the broker: a probe like any filter.
  // The default one (`location`) is not named; the response filter empties it when hidden.
  const geometryProperty = params.get('geometryProperty');
  if (geometryProperty !== undefined) t.read(geometryProperty, 'geometryProperty');

  if (params.has('aggrMethods') || t.options.has('aggregatedValues')) recordAggregation(attrs, pick, t);
  return geojson ? 'geojson' : formatParam;
}
