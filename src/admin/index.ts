/**
 * The admin API (under /admin): usage contracts for data providers and a dry-run
 * decision endpoint, protected by the same token checks and by the `manageContracts` role
 * grant. Routes are lists of steps, mounted by the gateway's server.
 */
export { adminRoutes, ADMIN_PREFIX } from './routes.js';
export type { AdminDeps } from './routes.js';
export { contractSummary, decisionJson } from './describe.js';
