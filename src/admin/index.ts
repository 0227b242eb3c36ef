/**
 * The admin API (under /admin): usage contracts in namespaces (the operator's, and one per
 * data provider), the configured providers, and a dry-run decision endpoint, protected by
 * the same token checks and by `manageContracts` role grants (the operator's, or one
 * naming a provider). A fastify plugin, mounted by the application next to the NGSI-LD proxy.
 * Every route declares its body and answers (schemas.ts), from which the API description
 * at /openapi.json is built.
 */
export { adminPlugin, ADMIN_PREFIX } from './plugin.js';
export type { AdminDeps } from './plugin.js';
