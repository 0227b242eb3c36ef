/**
 * Who sees what, through the admin API: the caller described as in a dry run (its token's
 * fields), a tenant and a moment; the answer is explain() (src/policy) as JSON, names
 * compacted with the @context the body brings, or the core context. The operator's route
 * explains every type; a provider's, only the types it owns in that tenant, naming only
 * its own rules.
 */
import { purposeIri, explain, explanationJson, type DecisionSnapshot, type ExplainCaller, type Subject } from '../policy/index.js';
import type { PartyNames, Providers } from '../contracts/index.js';
import type { ContextResolver } from '../context/index.js';
import { canonicalTenant, DEFAULT_TENANT_DOMAIN } from '../ngsi/index.js';
import { answer, bodyValidator, readJsonBody } from '../gateway/index.js';
import { auditAs, requireOperator, type Admin, type AdminDeps, type Handler } from './admin-request.js';
import { claimed, type NamespaceOf } from './contract-routes.js';
import { explainBodySchema } from './schemas.js';
import { readInstant } from './dry-run.js';
import { callerIssuer } from './caller-issuer.js';

/** The caller as the explain body describes it (and `mimtrust contracts explain` takes it). */
export interface ExplainFields {
  roles?: string[];
  issuer?: string;
  sub?: string;
  clientId?: string;
  organisation?: string;
  purpose?: string;
  recipient?: string;
}

export interface ExplainBody {
  caller: ExplainFields;
  /** The tenant (`@default`, or absent, for the default one). */
  tenant?: string;
  /** ISO 8601 date-time; absent: now. */
  at?: string;
  /** An @context (URL, object or list) whose terms name types and attributes in the answer. */
  context?: unknown;
}

export const readExplainBody = bodyValidator<ExplainBody>(explainBodySchema, 'explain request');

export interface ExplainDeps {
  parties: PartyNames;
  resolver: ContextResolver;
  snapshot: () => DecisionSnapshot;
  providers: Providers;
}

/** The caller explain() takes, from the described fields: issuer by name, purpose as an IRI. */
export function explainCallerOf(parties: PartyNames, fields: ExplainFields, tenant: string | undefined): ExplainCaller {
  const subject: Subject = {
    issuer: callerIssuer(parties, fields.issuer),
    roles: fields.roles ?? [],
    ...(fields.sub !== undefined ? { sub: fields.sub } : {}),
    ...(fields.clientId !== undefined ? { clientId: fields.clientId } : {}),
    ...(fields.organisation !== undefined ? { organisation: fields.organisation } : {}),
  };
  const canonical = tenant === undefined ? undefined : canonicalTenant(tenant);
  const caller: ExplainCaller = { subject };
  // As the gateway reads a token: a purpose outside the DPV table is kept as written and meets no purpose constraint.
  if (fields.purpose !== undefined) caller.purpose = purposeIri(fields.purpose) ?? fields.purpose;
  if (fields.recipient !== undefined) caller.recipient = fields.recipient;
  if (canonical !== undefined && canonical !== DEFAULT_TENANT_DOMAIN) caller.tenant = canonical;
  return caller;
}

/**
 * Who sees what for the described caller, in the namespace `ns` (null: the operator's,
 * every type; else a provider's types in that tenant, its own rules named). The caller of
 * this function has checked the grant for `ns`.
 */
export async function whoSeesWhat(deps: ExplainDeps, ns: string | null, body: unknown, now: number): Promise<Record<string, unknown>> {
  const input = readExplainBody(body);
  const caller = explainCallerOf(deps.parties, input.caller, input.tenant);
  const at = readInstant(input.at, 'explain request', '/at') ?? now;
  const active = await deps.resolver.resolve(input.context);
  const compact = (iri: string): string => active.compactIri(iri);
  if (ns === null) return explanationJson(explain(caller, deps.snapshot(), { at }), compact);
  const owned = deps.providers.get(ns)?.owns.get(caller.tenant ?? DEFAULT_TENANT_DOMAIN);
  const onlyTypes = new Set(owned?.keys() ?? []);
  return explanationJson(explain(caller, deps.snapshot(), { at, onlyTypes }), compact, (ref) => ref.provider === ns);
}

/** Who sees what, as a function of the authorised caller and the body, in the namespace `namespaceOf` gives. */
export function explainAction(deps: AdminDeps, namespaceOf: NamespaceOf): (r: Admin, body: unknown) => Promise<Record<string, unknown>> {
  return async (r, body) => {
    auditAs(r, 'admin.contracts.explain', undefined, claimed(deps, r));
    const ns = namespaceOf(r);
    // Like the dry run: what every contract grants to anyone is the operator's view.
    if (ns === null) requireOperator(r);
    return whoSeesWhat(deps, ns, body, r.startedAt);
  };
}

/** `POST …/contracts/explain`: the operator's namespace, or a provider's. */
export function explainHandler(deps: AdminDeps, namespaceOf: NamespaceOf): Handler {
  const act = explainAction(deps, namespaceOf);
  return async (r) => answer(r, 200, await act(r, readJsonBody(r)));
}
