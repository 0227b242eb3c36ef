/**
 * The admin API as a fastify plugin. Each route is a pipeline like the NGSI-LD proxy's:
 * the caller is authenticated with the same token checks, must hold a grant for contracts
 * (the operator's `manageContracts`, or `manageContracts:<provider>`; grants.ts), and every
 * call is audited as the last stage; a change is also on record before it is made.
 */
import type { FastifyInstance, HTTPMethods } from 'fastify';
import { MimtrustError } from '../errors/index.js';
import type { VerifiedToken } from '../auth/index.js';
import {
  answer, authenticate, auditPermitted, checkEnforceable, classifyRequest, exchange, expandNames, extend,
  pipeline, readJsonBody,
  type Authenticated, type ExchangeDeps, type Received, type Trail,
} from '../gateway/index.js';
import { decide, decisionJson, type Considered } from '../policy/index.js';
import { readDryRun } from './dry-run.js';
import { callerIssuer } from './caller-issuer.js';
import { ADMIN_PREFIX, auditAs, authorizeAdmin, requireOperator, type AdminDeps, type Handler } from './admin-request.js';
import { contractHandlers, listDocuments, listVisible, operatorNamespace, providerNamespace } from './contract-routes.js';
import { getProvider, listProviders } from './provider-routes.js';
import {
  contractOperations, documentsOperation, dryRunOperation, explainOperation, getProviderOperation, listProvidersOperation, routeSchema, type Operation,
} from './schemas.js';
import { describedRoutes } from '../openapi/index.js';
import { explainHandler } from './explain.js';

export { ADMIN_PREFIX };
export type { AdminDeps };

/**
 * Would this request be permitted, and why? The described request goes through the same
 * classification, name expansion and decision as a real one, without being forwarded and
 * without counting against any count constraint.
 */
function dryRun(deps: AdminDeps): Handler {
  const simulate = pipeline<Authenticated>()
    .then('classify', classifyRequest(deps))
    .then('expand', expandNames(deps))
    // Decided as the gateway decides, with the trace of every rule looked at.
    .then('decide', (r) => {
      const considered: Considered[] = [];
      return extend(r, { decision: decide({ request: r.policy, decisionId: r.decisionId, considered }, deps.snapshot()), considered });
    })
    .then('enforceable', (d) => { checkEnforceable(d); return d; });
  return async (r) => {
    auditAs(r, 'admin.decisions.dryRun');
    // A dry run shows what every contract grants to anyone: the operator's view.
    requireOperator(r);
    const input = readDryRun(readJsonBody(r));
    const { issuer, ...fields } = input.caller;
    const token: VerifiedToken = {
      ...fields,
      issuer: callerIssuer(deps.parties, issuer),
      exp: Math.floor(r.startedAt / 1000) + 60,
      claims: {},
    };
    const sim: Trail & Authenticated & { considered?: Considered[] } = {
      ...r,
      // The decision's clock: the request's own time unless the dry run names one.
      startedAt: input.now ?? r.startedAt,
      raw: { method: input.request.method, url: input.request.url, headers: input.request.headers },
      rawBody: input.request.body === undefined ? undefined : Buffer.from(JSON.stringify(input.request.body)),
      token,
    };
    delete sim.auditAs;
    let result: Record<string, unknown>;
    try {
      const decided = await simulate.run(sim);
      result = decisionJson(decided.decision, decided.considered);
    } catch (err) {
      if (!(err instanceof MimtrustError)) throw err;
      result = sim.decision && sim.decision.effect === 'deny'
        ? decisionJson(sim.decision, sim.considered)
        : { effect: 'deny', reason: err.reason, detail: err.message, status: err.status, rules: (sim.decision?.rules ?? []) };
    }
    const ngsi = sim.ngsi;
    return answer(r, 200, {
      ...result,
      ...(ngsi ? { operation: ngsi.operation, action: ngsi.action, tenant: ngsi.tenant ?? null } : {}),
      now: new Date(sim.startedAt).toISOString(),
    });
  };
}

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
    ['POST', `${ADMIN_PREFIX}/decisions`, dryRun(deps), dryRunOperation],
  ];
  return async (app: FastifyInstance): Promise<void> => {
    describedRoutes(app);
    for (const [method, url, handler, op] of routes) app.route({ method, url, schema: routeSchema(url, op), handler: route(handler) });
  };
}
