/**
 * The NGSI-LD request model: turns any request on the NGSI-LD API into what it touches
 * (operation, action group, tenant, entity ids and types, attributes, every attribute a
 * filter reads) with a canonical path and query that are exactly what gets forwarded.
 */
export type { Action, Operation, RawRequest, NgsiRequest, FilterRead } from './types.js';
export { ACTIONS } from './types.js';
export { classify, createClassifier } from './classify.js';
export type { ClassifyOptions, Classifier } from './classify.js';
export { listRoutes, matchRoute } from './routes.js';
export type { RouteMatch, RouteTarget, ParamRole } from './routes.js';
export { compileBasePath, normalizePath } from './normalize-path.js';
export type { BasePath, NormalizedPath } from './normalize-path.js';
export { parseQuery, canonicalSearch } from './parse-query.js';
export type { ParsedQuery } from './parse-query.js';
export { knownParameters } from './parameters.js';
export { parseTypeExpression } from './type-expression.js';
export { parseQ } from './q-language.js';
export { acceptsGeoJson } from './query-params.js';
export { EVERY_ATTRIBUTE } from './filters.js';
export { splitList, projectionAttrs, projectionItems } from './lists.js';
export type { ProjectionItem } from './lists.js';
export { readTenant, canonicalTenant, DEFAULT_TENANT_DOMAIN } from './tenant.js';
export { refuseAmbiguousHeaders } from './request-headers.js';
export { changesState } from './changes-state.js';
export { refuseRedefinedMembers } from './body.js';
