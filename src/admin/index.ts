/**
 * The admin API (under /admin): usage contracts for data providers and a dry-run
 * decision endpoint, protected by the same token checks and by the `manageContracts` role
 * grant. A fastify plugin, mounted by the application next to the NGSI-LD proxy.
 */
export { adminPlugin, ADMIN_PREFIX } from './plugin.js';
export type { AdminDeps } from './plugin.js';
