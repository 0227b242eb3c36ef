/**
 * Response filtering: cuts a broker response down to what a permitting decision lets the
 * caller see (its `view` of types and attributes, and the areas per type: spatial.ts), for
 * every NGSI-LD response shape: normalized, concise and keyValues entities,
 * multi-attributes, temporal representations, GeoJSON, and type and attribute discovery.
 * Pure functions (the sliced variant only adds turns of the event loop); names are
 * compared as IRIs through the expander the caller passes in. Attributes the gateway
 * fetched only for the obligations (`Fetched`) are read and never shown.
 */
export { filterResponse, filterResponseInSlices, SLICE_UNITS } from './response.js';
export type { FilterResponseInput, FilterResponseResult } from './response.js';
export { filterEntity, filterEntities } from './entity.js';
export { notVisible } from './errors.js';
export type { FilterEntityResult } from './entity.js';
export type { SpatialLimit, Fetched } from './context.js';
export type { TermExpander, View, ViewExtras, TypeView, Released } from './types.js';
export { typeViewOf } from './types.js';
export { checkCountable, brokerCountExact, checkShownCount } from './count.js';
export { answersOneResource, listsEntities } from './response.js';
