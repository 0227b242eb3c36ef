/**
 * The policy enforcement point: an HTTPS reverse proxy in front of an NGSI-LD broker.
 * Each route is a list of named steps (steps.ts, contract-steps.ts): authenticate,
 * classify, authorize roles, expand names, decide contracts, narrow the query, forward,
 * respond, filter. server.ts runs them and audits every outcome before a response
 * leaves; gateway.ts assembles keys, TLS, token checks, roles, contracts and the audit log.
 */
export { startGateway } from './gateway.js';
export type { Gateway, GatewayLogger } from './gateway.js';
export { buildServer } from './server.js';
export { Upstream } from './upstream.js';
