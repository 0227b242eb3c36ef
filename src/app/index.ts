/**
 * The application: assembles configuration, keys, TLS, token checks, roles, contracts, the
 * audit log and the broker pool, and mounts each role (NGSI-LD proxy, admin API, citizen
 * consent API, the issuer, the console, the citizen wallet) as a plugin of one HTTPS server (`server.ts`), with the API description
 * (openapi/) and CORS for browser applications (`cors.ts`). `startGateway` is what
 * `mimtrust start` runs.
 */
export { startGateway } from './start.js';
export type { Gateway, GatewayLogger } from './start.js';
export { createServer } from './server.js';
