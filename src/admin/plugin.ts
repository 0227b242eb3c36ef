/**
 * The admin API as a fastify plugin. Each route is a pipeline like the NGSI-LD proxy's:
 * the caller is authenticated with the same token checks, must hold a role that grants
 * `manageContracts`, and every call is audited as the last stage; a change is also on
 * record before it is made.
 */
import type { FastifyInstance, HTTPMethods } from 'fastify';
import { MimtrustError } from '../errors/index.js';
import { ContractError, API_SOURCE_PREFIX, contractSummary, type ContractRegistry, type PartyNames } from '../contracts/index.js';
import type { RoleChecker } from '../policy/index.js';
import type { VerifiedToken, TokenVerifier } from '../auth/index.js';
import type { AuditLog } from '../audit/index.js';
import type { ContextResolver } from '../context/index.js';
import {
  answer, authenticate, auditPermitted, checkEnforceable, classifyRequest, decideRequest, exchange, expandNames,
  pipeline, readJsonBody, recordDecision,
  type Answered, type Authenticated, type ExchangeDeps, type Received, type Stage, type Trail,
} from '../gateway/index.js';
import { decisionJson, type DecisionSnapshot } from '../policy/index.js';
import { readDryRun } from './dry-run.js';

export const ADMIN_PREFIX = '/admin';

export interface AdminDeps {
  basePath: string;
  verifier: TokenVerifier;
  roles: () => RoleChecker;
  registry: ContractRegistry;
  resolver: ContextResolver;
  /** The trusted issuers by the names contracts use, for dry-run callers. */
  parties: PartyNames;
  snapshot: () => DecisionSnapshot;
  audit: AuditLog;
  log: { error(obj: unknown, msg: string): void };
}

function auditAs<T extends Received>(r: T, operation: string, uid?: string): T {
  r.auditAs = { operation, action: 'manageContracts', targets: { entityIds: uid ? [uid] : [], types: [], attrs: [] } };
  return r;
}

/** The caller may use the admin API: a role that grants manageContracts (in the default tenant's domain). */
function authorizeAdmin(deps: AdminDeps): Stage<Authenticated, Authenticated> {
  return (r) => {
    if (!deps.roles().allows(r.token.roles, undefined, 'manageContracts')) {
      throw new MimtrustError('FORBIDDEN', 'No role of the caller allows managing contracts.', { reason: 'role_denied' });
    }
    return r;
  };
}

/** Contract errors are the provider's own input: a 400 naming the rule and term. */
async function contractCall<T>(fn: () => Promise<T>): Promise<T> {
  try {
    return await fn();
  } catch (err) {
    if (err instanceof ContractError) throw err.toMimtrustError();
    throw err;
  }
}

function objectBody(r: Received): Record<string, unknown> {
  const body = readJsonBody(r);
  if (typeof body !== 'object' || body === null || Array.isArray(body)) {
    throw new MimtrustError('BAD_REQUEST', 'The request body must be a JSON object.', { reason: 'invalid_body' });
  }
  return body as Record<string, unknown>;
}

function contractPath(uid: string): string {
  return `${ADMIN_PREFIX}/contracts/${encodeURIComponent(uid)}`;
}

type Handler = Stage<Authenticated, Answered>;

function listContracts(deps: AdminDeps): Handler {
  return (r) => answer(auditAs(r, 'admin.contracts.list'), 200, deps.registry.list().map(contractSummary));
}

function getContract(deps: AdminDeps): Handler {
  return async (r) => {
    const uid = r.params.uid ?? '';
    auditAs(r, 'admin.contracts.retrieve', uid);
    const c = deps.registry.list().find((x) => x.uid === uid);
    if (!c) throw new MimtrustError('NOT_FOUND', 'No contract with this uid.', { reason: 'contract_not_found' });
    const document = c.source.startsWith(API_SOURCE_PREFIX) ? await deps.registry.storedDocument(uid) : undefined;
    return answer(r, 200, { ...contractSummary(c), ...(document !== undefined ? { document } : {}) });
  };
}

function createContract(deps: AdminDeps): Handler {
  return async (r) => {
    const doc = objectBody(r);
    const uid = typeof doc.uid === 'string' ? doc.uid : undefined;
    auditAs(r, 'admin.contracts.create', uid);
    if (uid !== undefined && deps.registry.list().some((c) => c.uid === uid)) {
      throw new MimtrustError('CONFLICT', 'A contract with this uid exists; replace it with PUT.', { reason: 'contract_exists' });
    }
    // Invalid input is refused before anything is recorded as about to change.
    await contractCall(() => deps.registry.validate(doc));
    await recordDecision(deps, r);
    const { contract } = await contractCall(() => deps.registry.put(doc));
    return answer(r, 201, contractSummary(contract), { location: contractPath(contract.uid) });
  };
}

function replaceContract(deps: AdminDeps): Handler {
  return async (r) => {
    const uid = r.params.uid ?? '';
    auditAs(r, 'admin.contracts.replace', uid);
    const doc = objectBody(r);
    await contractCall(() => deps.registry.validate(doc));
    await recordDecision(deps, r);
    const { contract, created } = await contractCall(() => deps.registry.put(doc, uid));
    return answer(r, created ? 201 : 200, contractSummary(contract), created ? { location: contractPath(contract.uid) } : {});
  };
}

function deleteContract(deps: AdminDeps): Handler {
  return async (r) => {
    const uid = r.params.uid ?? '';
    auditAs(r, 'admin.contracts.delete', uid);
    await recordDecision(deps, r);
    const deleted = await contractCall(() => deps.registry.remove(uid));
    if (!deleted) throw new MimtrustError('NOT_FOUND', 'No contract created through the API has this uid.', { reason: 'contract_not_found' });
    return answer(r, 204, undefined);
  };
}

function validateContract(deps: AdminDeps): Handler {
  return async (r) => {
    auditAs(r, 'admin.contracts.validate');
    const c = await contractCall(() => deps.registry.validate(objectBody(r)));
    return answer(r, 200, { valid: true, ...contractSummary(c) });
  };
}

/**
 * The `iss` of a dry-run caller, from the issuer name contracts use: by default the first
 * of the city's own issuers (the local one when it is enabled), whose callers unprefixed
 * party names match.
 */
function dryRunIssuer(parties: PartyNames, name: string | undefined): string {
  const iss = name === undefined ? parties.cityOwn[0] : parties.byName.get(name);
  if (iss !== undefined) return iss;
  throw new MimtrustError('BAD_REQUEST', name === undefined
    ? 'No issuer is one of the city\'s own: name the caller\'s issuer (caller.issuer).'
    : 'caller.issuer is not the name of a trusted issuer.', { reason: 'dry_run_issuer_unknown' });
}

/**
 * Would this request be permitted, and why? The described request goes through the same
 * classification, name expansion and decision as a real one, without being forwarded and
 * without counting against any count constraint.
 */
function dryRun(deps: AdminDeps): Handler {
  const simulate = pipeline<Authenticated>()
    .then('classify', classifyRequest(deps))
    .then('expand', expandNames(deps))
    .then('decide', decideRequest(deps))
    .then('enforceable', (d) => { checkEnforceable(d); return d; });
  return async (r) => {
    auditAs(r, 'admin.decisions.dryRun');
    const input = readDryRun(readJsonBody(r));
    const token: VerifiedToken = {
      issuer: dryRunIssuer(deps.parties, input.caller.issuer),
      roles: input.caller.roles,
      exp: Math.floor(r.startedAt / 1000) + 60,
      claims: {},
      ...(input.caller.sub !== undefined ? { sub: input.caller.sub } : {}),
      ...(input.caller.clientId !== undefined ? { clientId: input.caller.clientId } : {}),
      ...(input.caller.purpose !== undefined ? { purpose: input.caller.purpose } : {}),
      ...(input.caller.tenants !== undefined ? { tenants: input.caller.tenants } : {}),
    };
    const sim: Trail & Authenticated = {
      ...r,
      raw: { method: input.request.method, url: input.request.url, headers: input.request.headers },
      rawBody: input.request.body === undefined ? undefined : Buffer.from(JSON.stringify(input.request.body)),
      token,
    };
    delete sim.auditAs;
    let result: Record<string, unknown>;
    try {
      const decided = await simulate.run(sim);
      result = decisionJson(decided.decision);
    } catch (err) {
      if (!(err instanceof MimtrustError)) throw err;
      result = sim.decision && sim.decision.effect === 'deny'
        ? decisionJson(sim.decision)
        : { effect: 'deny', reason: err.reason, detail: err.message, status: err.status, rules: (sim.decision?.rules ?? []) };
    }
    const ngsi = sim.ngsi;
    return answer(r, 200, { ...result, ...(ngsi ? { operation: ngsi.operation, action: ngsi.action, tenant: ngsi.tenant ?? null } : {}) });
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
  const base = `${ADMIN_PREFIX}/contracts`;
  const routes: Array<[HTTPMethods, string, Handler]> = [
    ['GET', base, listContracts(deps)],
    ['POST', base, createContract(deps)],
    ['POST', `${base}/validate`, validateContract(deps)],
    ['GET', `${base}/:uid`, getContract(deps)],
    ['PUT', `${base}/:uid`, replaceContract(deps)],
    ['DELETE', `${base}/:uid`, deleteContract(deps)],
    ['POST', `${ADMIN_PREFIX}/decisions`, dryRun(deps)],
  ];
  return async (app: FastifyInstance): Promise<void> => {
    for (const [method, url, handler] of routes) app.route({ method, url, handler: route(handler) });
  };
}

