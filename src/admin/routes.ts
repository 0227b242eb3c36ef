/**
 * The admin API for data providers and city operators: usage contracts (list, read,
 * create, replace, delete, validate) and a dry run that says whether a request would be
 * permitted, and why. Each route is a list of steps like the NGSI-LD proxy's: the caller is
 * authenticated with the same token checks and must hold a role that grants
 * `manageContracts`; every call is audited.
 */
import { MimtrustError } from '../errors/index.js';
import { ContractError, API_SOURCE_PREFIX, type ContractRegistry } from '../contracts/index.js';
import type { RoleChecker } from '../policy/index.js';
import type { VerifiedToken } from '../auth/index.js';
import { authenticate, authorizeRole, classifyRequest, parseJsonBody, type Step, type StepDeps } from '../gateway/steps.js';
import { expandNames, evaluateContracts, type ContractDeps } from '../gateway/contract-steps.js';
import type { RequestContext } from '../gateway/context.js';
import type { RouteSpec } from '../gateway/server.js';
import { contractSummary, decisionJson } from './describe.js';

export const ADMIN_PREFIX = '/admin';

export interface AdminDeps {
  steps: StepDeps;
  roles: () => RoleChecker;
  registry: ContractRegistry;
  contracts: ContractDeps;
}

const JSON_HEADERS = { 'content-type': 'application/json' };

function json(ctx: RequestContext, status: number, body: unknown, extra: Record<string, string> = {}): void {
  ctx.response = { status, headers: { ...JSON_HEADERS, ...extra }, body: Buffer.from(JSON.stringify(body)) };
  ctx.reason = 'permitted';
}

function auditAs(ctx: RequestContext, operation: string, uid?: string): void {
  ctx.auditAs = { operation, action: 'manageContracts', targets: { entityIds: uid ? [uid] : [], types: [], attrs: [] } };
}

/** The caller may use the admin API: a role that grants manageContracts (in the default tenant's domain). */
function authorizeAdmin(deps: AdminDeps): Step {
  return (ctx) => {
    if (!deps.roles().allows(ctx.token!.roles, undefined, 'manageContracts')) {
      throw new MimtrustError('FORBIDDEN', 'No role of the caller allows managing contracts.', { reason: 'role_denied' });
    }
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

function requireObjectBody(ctx: RequestContext): Record<string, unknown> {
  parseJsonBody(ctx);
  const body = ctx.raw.body;
  if (typeof body !== 'object' || body === null || Array.isArray(body)) {
    throw new MimtrustError('BAD_REQUEST', 'The request body must be a JSON object.', { reason: 'invalid_body' });
  }
  return body as Record<string, unknown>;
}

function contractPath(uid: string): string {
  return `${ADMIN_PREFIX}/contracts/${encodeURIComponent(uid)}`;
}

function listContracts(deps: AdminDeps): Step {
  return (ctx) => {
    auditAs(ctx, 'admin.contracts.list');
    json(ctx, 200, deps.registry.list().map(contractSummary));
  };
}

function getContract(deps: AdminDeps): Step {
  return async (ctx) => {
    const uid = ctx.params.uid ?? '';
    auditAs(ctx, 'admin.contracts.retrieve', uid);
    const c = deps.registry.list().find((x) => x.uid === uid);
    if (!c) throw new MimtrustError('NOT_FOUND', 'No contract with this uid.', { reason: 'contract_not_found' });
    const document = c.source.startsWith(API_SOURCE_PREFIX) ? await deps.registry.storedDocument(uid) : undefined;
    json(ctx, 200, { ...contractSummary(c), ...(document !== undefined ? { document } : {}) });
  };
}

function createContract(deps: AdminDeps): Step {
  return async (ctx) => {
    const doc = requireObjectBody(ctx);
    const uid = typeof doc.uid === 'string' ? doc.uid : undefined;
    auditAs(ctx, 'admin.contracts.create', uid);
    if (uid !== undefined && deps.registry.list().some((c) => c.uid === uid)) {
      throw new MimtrustError('CONFLICT', 'A contract with this uid exists; replace it with PUT.', { reason: 'contract_exists' });
    }
    const { contract } = await contractCall(() => deps.registry.put(doc));
    json(ctx, 201, contractSummary(contract), { location: contractPath(contract.uid) });
  };
}

function replaceContract(deps: AdminDeps): Step {
  return async (ctx) => {
    const uid = ctx.params.uid ?? '';
    auditAs(ctx, 'admin.contracts.replace', uid);
    const doc = requireObjectBody(ctx);
    const { contract, created } = await contractCall(() => deps.registry.put(doc, uid));
    json(ctx, created ? 201 : 200, contractSummary(contract), created ? { location: contractPath(contract.uid) } : {});
  };
}

function deleteContract(deps: AdminDeps): Step {
  return async (ctx) => {
    const uid = ctx.params.uid ?? '';
    auditAs(ctx, 'admin.contracts.delete', uid);
    const deleted = await contractCall(() => deps.registry.remove(uid));
    if (!deleted) throw new MimtrustError('NOT_FOUND', 'No contract created through the API has this uid.', { reason: 'contract_not_found' });
    ctx.response = { status: 204, headers: {}, body: undefined };
    ctx.reason = 'permitted';
  };
}

function validateContract(deps: AdminDeps): Step {
  return async (ctx) => {
    auditAs(ctx, 'admin.contracts.validate');
    const doc = requireObjectBody(ctx);
    const c = await contractCall(() => deps.registry.validate(doc));
    json(ctx, 200, { valid: true, ...contractSummary(c) });
  };
}

interface DryRunInput {
  request: { method: string; url: string; headers: Record<string, string>; body?: unknown };
  caller: { sub?: string; clientId?: string; roles: string[]; purpose?: string; tenants?: string[] };
}

function readDryRun(body: Record<string, unknown>): DryRunInput {
  const bad = (detail: string) => new MimtrustError('BAD_REQUEST', detail, { reason: 'invalid_body' });
  const request = body.request as Record<string, unknown> | undefined;
  const caller = body.caller as Record<string, unknown> | undefined;
  if (typeof request !== 'object' || request === null) throw bad('"request" must be an object with method and url.');
  if (typeof caller !== 'object' || caller === null) throw bad('"caller" must be an object with roles.');
  if (typeof request.method !== 'string' || typeof request.url !== 'string' || !request.url.startsWith('/')) throw bad('"request.method" and "request.url" (a path) are required.');
  const headers: Record<string, string> = {};
  if (request.headers !== undefined) {
    if (typeof request.headers !== 'object' || request.headers === null) throw bad('"request.headers" must be an object.');
    for (const [k, v] of Object.entries(request.headers)) {
      if (typeof v !== 'string') throw bad('Header values must be strings.');
      headers[k.toLowerCase()] = v;
    }
  }
  const strings = (v: unknown, name: string): string[] | undefined => {
    if (v === undefined) return undefined;
    if (!Array.isArray(v) || v.some((x) => typeof x !== 'string')) throw bad(`"caller.${name}" must be an array of strings.`);
    return v as string[];
  };
  const opt = (v: unknown, name: string): string | undefined => {
    if (v === undefined) return undefined;
    if (typeof v !== 'string') throw bad(`"caller.${name}" must be a string.`);
    return v;
  };
  return {
    request: { method: request.method.toUpperCase(), url: request.url, headers, ...(request.body !== undefined ? { body: request.body } : {}) },
    caller: {
      roles: strings(caller.roles, 'roles') ?? [],
      ...(opt(caller.sub, 'sub') !== undefined ? { sub: caller.sub as string } : {}),
      ...(opt(caller.clientId, 'clientId') !== undefined ? { clientId: caller.clientId as string } : {}),
      ...(opt(caller.purpose, 'purpose') !== undefined ? { purpose: caller.purpose as string } : {}),
      ...(strings(caller.tenants, 'tenants') !== undefined ? { tenants: caller.tenants as string[] } : {}),
    },
  };
}

/**
 * Would this request be permitted, and why? The described request goes through the same
 * classification, role check, name expansion and decision as a real one, without being
 * forwarded and without counting against any count constraint.
 */
function dryRun(deps: AdminDeps): Step {
  const classify = classifyRequest(deps.steps);
  const roles = authorizeRole(deps.steps);
  const expand = expandNames(deps.contracts);
  return async (ctx) => {
    auditAs(ctx, 'admin.decisions.dryRun');
    const input = readDryRun(requireObjectBody(ctx));
    const token: VerifiedToken = {
      issuer: 'dry-run',
      roles: input.caller.roles,
      exp: Math.floor(ctx.startedAt / 1000) + 60,
      claims: {},
      ...(input.caller.sub !== undefined ? { sub: input.caller.sub } : {}),
      ...(input.caller.clientId !== undefined ? { clientId: input.caller.clientId } : {}),
      ...(input.caller.purpose !== undefined ? { purpose: input.caller.purpose } : {}),
      ...(input.caller.tenants !== undefined ? { tenants: input.caller.tenants } : {}),
    };
    const sim: RequestContext = {
      ...ctx,
      raw: { method: input.request.method, url: input.request.url, headers: input.request.headers },
      rawBody: input.request.body === undefined ? undefined : Buffer.from(JSON.stringify(input.request.body)),
      token,
      rules: [],
    };
    let answer: Record<string, unknown>;
    try {
      await classify(sim);
      await roles(sim);
      await expand(sim);
      const decision = evaluateContracts(sim, deps.contracts);
      answer = decision ? decisionJson(decision) : { effect: 'permit', reason: 'roles_only', detail: 'This operation is governed by roles alone.', rules: [] };
    } catch (err) {
      if (!(err instanceof MimtrustError)) throw err;
      answer = sim.decision && sim.decision.effect === 'deny' ? decisionJson(sim.decision) : { effect: 'deny', reason: err.reason, detail: err.message, status: err.status, rules: sim.rules };
    }
    const ngsi = sim.ngsi;
    json(ctx, 200, { ...answer, ...(ngsi ? { operation: ngsi.operation, action: ngsi.action, tenant: ngsi.tenant ?? null } : {}) });
  };
}

/** The admin routes, each a list of steps run by the same server as the NGSI-LD proxy. */
export function adminRoutes(deps: AdminDeps): RouteSpec[] {
  const guard = [authenticate(deps.steps), authorizeAdmin(deps)];
  const base = `${ADMIN_PREFIX}/contracts`;
  return [
    { method: 'GET', url: base, steps: [...guard, listContracts(deps)] },
    { method: 'POST', url: base, steps: [...guard, createContract(deps)] },
    { method: 'POST', url: `${base}/validate`, steps: [...guard, validateContract(deps)] },
    { method: 'GET', url: `${base}/:uid`, steps: [...guard, getContract(deps)] },
    { method: 'PUT', url: `${base}/:uid`, steps: [...guard, replaceContract(deps)] },
    { method: 'DELETE', url: `${base}/:uid`, steps: [...guard, deleteContract(deps)] },
    { method: 'POST', url: `${ADMIN_PREFIX}/decisions`, steps: [...guard, dryRun(deps)] },
  ];
}
