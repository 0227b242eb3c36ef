/**
 * The API description: the admin API, the citizen consent API and the decision API as an
 * OpenAPI 3.1 document, served at `/openapi.json`. Each route declares its own schema next
 * to its handler (admin/, consent/, pdp/), and the document is built from those
 * declarations, so what it says is what the routes are. This folder holds what they share: the ProblemDetails every
 * refusal is, the bearer token scheme, and the plugin that serves the document. The
 * NGSI-LD proxy is not described: its API is the broker's.
 */
export { describeApi, OPENAPI_PATH } from './plugin.js';
export { PROBLEM_DETAILS_ID, problemDetailsSchema, refusal } from './problem-schema.js';
export { BEARER, NO_TOKEN, describedRoutes, withProperties } from './route-schema.js';
