/**
 * The admin API (under /admin): usage contracts in namespaces (the operator's, and one per
 * data provider), the configured providers, and a dry-run decision endpoint, protected by
 * the same token checks and by `manageContracts` role grants (the operator's, or one
 * naming a provider). A fastify plugin, mounted by the application next to the NGSI-LD proxy.
 * Every route declares its body and answers (schemas.ts), from which the API description
 * at /openapi.json is built. trusted-issuer-routes.ts: the trusted issuers list for
 * organisations logging in with a Verifiable Presentation (the operator's entries).
 * `whoSeesWhat()` (explain.ts) is the who-sees-what answer, for its route and the CLI. What
 * each route does is also a function of the authorised caller (contractActions,
 * dryRunAction, explainAction), so the console (src/console) serves the same actions.
 */
export { adminPlugin, ADMIN_PREFIX } from './plugin.js';
export type { AdminDeps } from './plugin.js';
export { whoSeesWhat, explainCallerOf } from './explain.js';
export type { ExplainBody, ExplainFields, ExplainDeps } from './explain.js';
export { authorizeAdmin, auditAs } from './admin-request.js';
export type { Admin, Handler } from './admin-request.js';
export { contractActions, visibleContracts, operatorNamespace, providerNamespace } from './contract-routes.js';
export type { ContractActions, NamespaceOf, Body } from './contract-routes.js';
export { dryRunAction } from './dry-run-action.js';
export { explainAction } from './explain.js';
