/**
 * The NGSI-LD request model: turns any request on the NGSI-LD API into what it touches
 * (operation, action group, tenant, entity ids and types, attributes, every attribute a
 * filter reads) with a canonical path and query that are exactly what gets forwarded.
 */
export type { Action, Operation, RawRequest, NgsiRequest, FilterRead } from './types.js';
export { ACTIONS } from './types.js';
