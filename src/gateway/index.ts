/**
 * The policy enforcement point: an HTTPS reverse proxy in front of an NGSI-LD broker.
 * Each request runs through named steps (authenticate, classify, authorize, forward,
 * respond) and is audited before its response leaves.
 */
export { startGateway } from './gateway.js';
export type { Gateway, GatewayLogger } from './gateway.js';
export { buildServer } from './server.js';
export { Upstream } from './upstream.js';
