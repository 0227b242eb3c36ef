/**
 * The contract routes, once per namespace: `/admin/contracts` for the operator's (the
 * contract files, and the API contracts made when no providers are configured), and
 * `/admin/providers/{provider}/contracts` for each provider's. A route never reaches into
 * another namespace, so one provider's admin cannot read, replace or delete another's
 * contracts, whatever their uids.
 */
import { MimtrustError } from '../errors/index.js';
import { API_SOURCE_PREFIX, contractSummary, type CompiledContract } from '../contracts/index.js';
import type { JsonObject } from '../lib/index.js';
import { answer, readJsonBody, recordDecision } from '../gateway/index.js';
import {
  ADMIN_PREFIX, auditAs, contractCall, contractDocument, requireOperator, type Admin, type AdminDeps, type Handler,
} from './admin-request.js';
import { changeCheck } from './grants.js';

/** The namespace a route addresses: null for the operator's, else a provider id. */
export type NamespaceOf = (r: Admin) => string | null;

export const operatorNamespace: NamespaceOf = () => null;

/** The configured provider the path names, for the audit record even of a refused call. */
export function claimed(deps: AdminDeps, r: Admin): string | null {
  const id = r.params.provider;
  return id !== undefined && deps.providers.has(id) ? id : null;
}

function notGranted(): MimtrustError {
  return new MimtrustError('FORBIDDEN', 'No role of the caller manages the contracts of this provider.', { reason: 'provider_not_granted' });
}

/** The provider the path names: one the caller acts for (or any, for the operator), and configured. */
export function providerNamespace(deps: AdminDeps): NamespaceOf {
  return (r) => {
    const id = r.params.provider ?? '';
    if (!r.grants.operator && !r.grants.providers.has(id)) throw notGranted();
    if (!deps.providers.has(id)) throw new MimtrustError('NOT_FOUND', 'No provider of this id is configured.', { reason: 'provider_not_found' });
    return id;
  };
}

/** Reading a namespace: the operator reads all; a provider's admins read theirs. */
function mayRead(r: Admin, ns: string | null): void {
  if (ns === null) requireOperator(r);
  else if (!r.grants.operator && !r.grants.providers.has(ns)) throw notGranted();
}

/**
 * Changing a namespace: a provider's needs a grant for that provider; the operator's, the
 * operator's grant, and while providers are configured it takes no new contracts (API
 * contracts belong to a provider) but its old ones may still be deleted, and a document
 * may still be checked (the contract files are the operator's too).
 */
function mayChange(deps: AdminDeps, r: Admin, ns: string | null, change: 'put' | 'delete' | 'check'): void {
  if (ns !== null) {
    if (!r.grants.providers.has(ns)) throw notGranted();
    return;
  }
  requireOperator(r);
  if (change === 'put' && deps.providers.size > 0) {
    throw new MimtrustError('FORBIDDEN', 'Contracts made through the API belong to a provider: use /admin/providers/{provider}/contracts.', { reason: 'provider_required' });
  }
}

function contractPath(ns: string | null, uid: string): string {
  const base = ns === null ? `${ADMIN_PREFIX}/contracts` : `${ADMIN_PREFIX}/providers/${ns}/contracts`;
  return `${base}/${encodeURIComponent(uid)}`;
}

function isApi(c: CompiledContract): boolean {
  return c.source.startsWith(API_SOURCE_PREFIX);
}

/** Every contract the caller may see, summarised: all for the operator, else those of the providers it acts for. */
export function visibleContracts(deps: AdminDeps, r: Admin): Array<Record<string, unknown>> {
  auditAs(r, 'admin.contracts.list');
  return deps.registry.list().filter((c) => r.grants.operator || (c.provider !== null && r.grants.providers.has(c.provider))).map(contractSummary);
}

export function listVisible(deps: AdminDeps): Handler {
  return (r) => answer(r, 200, visibleContracts(deps, r));
}

/**
 * Every contract document, file or API, with what is in force from it and why not more
 * (its load problem, by file name and position): the operator's view.
 */
export function listDocuments(deps: AdminDeps): Handler {
  return (r) => {
    auditAs(r, 'admin.contracts.documents');
    requireOperator(r);
    return answer(r, 200, deps.registry.documents());
  };
}

/** What a contract route does, as functions of the authorised caller: the API's routes and the console call these. */
export interface ContractActions {
  list(r: Admin): Array<Record<string, unknown>>;
  retrieve(r: Admin, uid: string): Promise<{ summary: Record<string, unknown>; document?: unknown }>;
  create(r: Admin, body: Body): Promise<{ summary: Record<string, unknown>; location: string }>;
  replace(r: Admin, uid: string, body: Body): Promise<{ summary: Record<string, unknown>; created: boolean; location: string }>;
  remove(r: Admin, uid: string): Promise<void>;
  /** `text`: the document as written, so each problem is placed at its line and column. */
  validate(r: Admin, body: Body, text: string | undefined): Promise<Record<string, unknown>>;
}

/** The document, read only once the caller is known to be allowed: a refusal never depends on the body. */
export type Body = () => unknown;

function documentOf(read: Body): JsonObject {
  return contractDocument(read());
}

export function contractActions(deps: AdminDeps, namespaceOf: NamespaceOf): ContractActions {
  const check = (r: Admin, ns: string | null) => changeCheck(deps.roles(), r.token.roles, ns);
  return {
    list: (r) => {
      auditAs(r, 'admin.contracts.list', undefined, claimed(deps, r));
      const ns = namespaceOf(r);
      mayRead(r, ns);
      return deps.registry.list().filter((c) => c.provider === ns && isApi(c)).map(contractSummary);
    },

    retrieve: async (r, uid) => {
      auditAs(r, 'admin.contracts.retrieve', uid, claimed(deps, r));
      const ns = namespaceOf(r);
      mayRead(r, ns);
      const c = deps.registry.get(ns, uid) ?? (ns === null ? deps.registry.file(uid) : undefined);
      if (!c) throw new MimtrustError('NOT_FOUND', 'No contract with this uid.', { reason: 'contract_not_found' });
      const document = isApi(c) ? await deps.registry.storedDocument(ns, uid) : undefined;
      return { summary: contractSummary(c), ...(document !== undefined ? { document } : {}) };
    },

    create: async (r, body) => {
      auditAs(r, 'admin.contracts.create', undefined, claimed(deps, r));
      const ns = namespaceOf(r);
      mayChange(deps, r, ns, 'put');
      const doc = documentOf(body);
      const uid = typeof doc.uid === 'string' ? doc.uid : undefined;
      auditAs(r, 'admin.contracts.create', uid, ns);
      // Refused input and refused changes are answered before anything is on record as about to change.
      if (uid !== undefined) await contractCall(async () => deps.registry.checkUid(ns, uid, true));
      const next = await contractCall(() => deps.registry.validate(doc, ns));
      const authorize = check(r, ns);
      authorize(next, undefined);
      await recordDecision(deps, r);
      const { contract } = await contractCall(() => deps.registry.put(doc, ns, { create: true, authorize }));
      return { summary: contractSummary(contract), location: contractPath(ns, contract.uid) };
    },

    replace: async (r, uid, body) => {
      auditAs(r, 'admin.contracts.replace', uid, claimed(deps, r));
      const ns = namespaceOf(r);
      mayChange(deps, r, ns, 'put');
      const doc = documentOf(body);
      if (doc.uid !== uid) throw new MimtrustError('BAD_REQUEST', 'The uid in the document differs from the one in the path.', { reason: 'uid_mismatch' });
      await contractCall(async () => deps.registry.checkUid(ns, uid, false));
      const next = await contractCall(() => deps.registry.validate(doc, ns));
      const authorize = check(r, ns);
      authorize(next, deps.registry.get(ns, uid));
      await recordDecision(deps, r);
      const { contract, created } = await contractCall(() => deps.registry.put(doc, ns, { expectUid: uid, authorize }));
      return { summary: contractSummary(contract), created, location: contractPath(ns, contract.uid) };
    },

    remove: async (r, uid) => {
      auditAs(r, 'admin.contracts.delete', uid, claimed(deps, r));
      const ns = namespaceOf(r);
      mayChange(deps, r, ns, 'delete');
      const authorize = check(r, ns);
      authorize(undefined, deps.registry.get(ns, uid));
      await recordDecision(deps, r);
      const deleted = await contractCall(() => deps.registry.remove(ns, uid, authorize));
      if (!deleted) throw new MimtrustError('NOT_FOUND', 'No contract created through the API has this uid.', { reason: 'contract_not_found' });
    },

    // Every problem of the document, as `mimtrust contracts validate --json` prints them; nothing is stored.
    validate: async (r, body, text) => {
      auditAs(r, 'admin.contracts.validate', undefined, claimed(deps, r));
      const ns = namespaceOf(r);
      // The grants of saving it there: checking is how a change is prepared.
      mayChange(deps, r, ns, 'check');
      const doc = documentOf(body);
      const { contract, problems } = await contractCall(() => deps.registry.check(doc, ns, text, deps.roles().roleNames));
      if (contract) check(r, ns)(contract, undefined);
      return {
        valid: contract !== undefined,
        errors: problems.filter((p) => p.severity === 'error'),
        warnings: problems.filter((p) => p.severity === 'warning'),
        ...(contract ? { contract: contractSummary(contract) } : {}),
      };
    },
  };
}

export interface ContractHandlers {
  list: Handler;
  create: Handler;
  validate: Handler;
  retrieve: Handler;
  replace: Handler;
  remove: Handler;
}

/** The contract routes: each action, its JSON body read after authorisation, answered as JSON. */
export function contractHandlers(deps: AdminDeps, namespaceOf: NamespaceOf): ContractHandlers {
  const act = contractActions(deps, namespaceOf);
  return {
    list: (r) => answer(r, 200, act.list(r)),
    retrieve: async (r) => {
      const { summary, document } = await act.retrieve(r, r.params.uid ?? '');
      return answer(r, 200, { ...summary, ...(document !== undefined ? { document } : {}) });
    },
    create: async (r) => {
      const { summary, location } = await act.create(r, () => readJsonBody(r));
      return answer(r, 201, summary, { location });
    },
    replace: async (r) => {
      const { summary, created, location } = await act.replace(r, r.params.uid ?? '', () => readJsonBody(r));
      return answer(r, created ? 201 : 200, summary, created ? { location } : {});
    },
    remove: async (r) => {
      await act.remove(r, r.params.uid ?? '');
      return answer(r, 204, undefined);
    },
    validate: async (r) => answer(r, 200, await act.validate(r, () => readJsonBody(r), r.rawBody?.toString('utf8'))),
  };
}
