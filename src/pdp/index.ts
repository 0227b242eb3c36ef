/**
 * The policy decision point over HTTP: an Envoy `ext_authz` HTTP service and a JSON
 * decision API, for cities whose proxy already sits in the data path. A fastify plugin,
 * mounted by the application when `pdp.enabled` is set. Both routes declare their input and
 * answers (schemas.ts), from which the API description at /openapi.json is built.
 */
export { pdpPlugin, PDP_PREFIX, EXT_AUTHZ_PREFIX, DECISION_ID_HEADER } from './plugin.js';
export type { PdpDeps } from './plugin.js';
