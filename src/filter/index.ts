/**
 * Response filtering: cuts a broker response down to what a permitting decision lets the
 * caller see (its `view` of types and attributes, and its `within` areas), for every
 * NGSI-LD response shape: normalized, concise and keyValues entities, multi-attributes,
 * temporal representations, GeoJSON, and type and attribute discovery. Pure functions;
 * names are compared as IRIs through the expander the caller passes in.
 */
export { filterResponse } from './response.js';
export type { FilterResponseInput, FilterResponseResult } from './response.js';
export { filterEntity, filterEntities } from './entity.js';
export { notVisible } from './errors.js';
export type { FilterEntityResult } from './entity.js';
export { compileAreas, geometryWithin } from './geo.js';
export type { Area } from './geo.js';
export type { TermExpander, View, ViewExtras, TypeView } from './types.js';
export { typeViewOf } from './types.js';
export { checkCountable, brokerCountExact, checkShownCount } from './count.js';
export { answersOneResource, listsEntities } from './response.js';
