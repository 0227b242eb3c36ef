/**
 * The admin API as a fastify plugin. Each route is a pipeline like the NGSI-LD proxy's:
 * the caller is authenticated with the same token checks, must hold a grant for contracts
 * (the operator's `manageContracts`, or `manageContracts:<provider>`; grants.ts), and every
 * call is audited as the last stage; a change is also on record before it is made.
 */
import type { FastifyInstance, HTTPMethods } from 'fastify';
import { authenticate, auditPermitted, exchange, pipeline, type ExchangeDeps, type Received } from '../gateway/index.js';
import { dryRunHandler } from './dry-run-action.js';
import { ADMIN_PREFIX, authorizeAdmin, type AdminDeps, type Handler } from './admin-request.js';
import { contractHandlers, listDocuments, listVisible, operatorNamespace, providerNamespace } from './contract-routes.js';
import { getProvider, listProviders } from './provider-routes.js';
import {
  contractOperations, documentsOperation, dryRunOperation, explainOperation, getProviderOperation, listProvidersOperation, routeSchema, trustedIssuerOperations, type Operation,
} from './schemas.js';
import { TRUSTED_ISSUERS_PATH, trustedIssuerHandlers } from './trusted-issuer-routes.js';
import { describedRoutes } from '../openapi/index.js';
import { explainHandler } from './explain.js';

export { ADMIN_PREFIX };
export type { AdminDeps };

/** The admin routes as a fastify plugin, sharing the server's exchange handling. */
export function adminPlugin(deps: AdminDeps & ExchangeDeps) {
  const route = (handler: Handler) => exchange(
    pipeline<Received>()
      .then('authenticate', authenticate(deps))
      .then('authorize', authorizeAdmin(deps))
      .then('handle', handler)
      .then('audit', auditPermitted(deps)),
    deps,
  );
  const operator = contractHandlers(deps, operatorNamespace);
  const ofProvider = providerNamespace(deps);
  const provider = contractHandlers(deps, ofProvider);
  const base = `${ADMIN_PREFIX}/contracts`;
  const providerBase = `${ADMIN_PREFIX}/providers/:provider`;
  const ours = contractOperations('');
  const theirs = contractOperations('Provider');
  const routes: Array<[HTTPMethods, string, Handler, Operation]> = [
    ['GET', base, listVisible(deps), ours.list],
    ['POST', base, operator.create, ours.create],
    ['POST', `${base}/validate`, operator.validate, ours.validate],
    ['POST', `${base}/explain`, explainHandler(deps, operatorNamespace), explainOperation('')],
    ['GET', `${base}/:uid`, operator.retrieve, ours.retrieve],
    ['PUT', `${base}/:uid`, operator.replace, ours.replace],
    ['DELETE', `${base}/:uid`, operator.remove, ours.remove],
    ['GET', `${ADMIN_PREFIX}/providers`, listProviders(deps), listProvidersOperation],
    ['GET', providerBase, getProvider(deps, ofProvider), getProviderOperation],
    ['GET', `${providerBase}/contracts`, provider.list, theirs.list],
    ['POST', `${providerBase}/contracts`, provider.create, theirs.create],
    ['POST', `${providerBase}/contracts/validate`, provider.validate, theirs.validate],
    ['POST', `${providerBase}/contracts/explain`, explainHandler(deps, ofProvider), explainOperation('Provider')],
    ['GET', `${providerBase}/contracts/:uid`, provider.retrieve, theirs.retrieve],
    ['PUT', `${providerBase}/contracts/:uid`, provider.replace, theirs.replace],
    ['DELETE', `${providerBase}/contracts/:uid`, provider.remove, theirs.remove],
    ['GET', `${ADMIN_PREFIX}/contract-documents`, listDocuments(deps), documentsOperation],
    ['POST', `${ADMIN_PREFIX}/decisions`, dryRunHandler(deps), dryRunOperation],
  ];
  if (deps.trustedIssuers !== undefined) {
    const trusted = trustedIssuerHandlers({ ...deps, trustedIssuers: deps.trustedIssuers });
    const ops = trustedIssuerOperations;
    routes.push(
      ['GET', TRUSTED_ISSUERS_PATH, trusted.list, ops.list],
      ['GET', `${TRUSTED_ISSUERS_PATH}/:did`, trusted.retrieve, ops.retrieve],
      ['PUT', `${TRUSTED_ISSUERS_PATH}/:did`, trusted.put, ops.put],
      ['DELETE', `${TRUSTED_ISSUERS_PATH}/:did`, trusted.remove, ops.remove],
    );
  }
  return async (app: FastifyInstance): Promise<void> => {
    describedRoutes(app);
    for (const [method, url, handler, op] of routes) app.route({ method, url, schema: routeSchema(url, op), handler: route(handler) });
  };
}
