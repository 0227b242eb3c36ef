/**
 * The admin API (under /admin): usage contracts in namespaces (the operator's, and one per
 * data provider), the configured providers, and a dry-run decision endpoint, protected by
 * the same token checks and by `manageContracts` role grants (the operator's, or one
 * naming a provider). A fastify plugin, mounted by the application next to the NGSI-LD proxy.
 * Every route declares its body and answers (schemas.ts), from which the API description
 * at /openapi.json is built.
 * `whoSeesWhat()` (explain.ts) is the who-sees-what answer, for its route and the CLI.
 */
export { adminPlugin, ADMIN_PREFIX } from './plugin.js';
export type { AdminDeps } from './plugin.js';
export { whoSeesWhat, explainCallerOf } from './explain.js';
export type { ExplainBody, ExplainFields, ExplainDeps } from './explain.js';
