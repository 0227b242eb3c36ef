/**
 * decide(): the whole decision for one request, over one input structure. Layers are asked
 * in order and the first deny ends it: the token's tenant list, then roles (casbin, per
 * tenant), then usage contracts for operations that touch entity data, with their
 * consent layer (consent.ts): the caller's consents are an input, looked up before. A
 * layer that permits may add obligations; only the contract layer does today. Pure: no
 * I/O, no clock, never throws.
 */
import type { Operation } from '../ngsi/types.js';
import type { PolicySnapshot } from '../contracts/model.js';
import { decideContracts, type DecideState } from './decide.js';
import type { RoleChecker } from './roles.js';
import type { ConsentGrant, Considered, Decision, PolicyRequest } from './types.js';

/** What the decision reads besides the request: swapped whole when something changes. */
export interface DecisionSnapshot {
  roles: RoleChecker;
  /** Compiled usage contracts; undefined when contracts are not enforced (roles alone decide). */
  contracts: PolicySnapshot | undefined;
  /** Current value of every usage counter a count constraint may ask about. */
  counters: ReadonlyMap<string, number>;
}

export interface DecisionInput {
  request: PolicyRequest;
  decisionId: string;
  /** When given, receives every contract rule addressed to the caller that was looked at (the dry run's trace). */
  considered?: Considered[];
  /** The consents the caller's token rests on, already looked up (given, not withdrawn). */
  consents?: readonly ConsentGrant[];
}

/**
 * Operations governed by roles alone: they carry no entity data (broker information,
 * hosted @contexts) or administer the broker (context source registrations and their
 * subscriptions). Everything else is decided by contracts too.
 */
const ROLES_ONLY_PREFIXES = ['csource.', 'csourceSubscription.', 'jsonldContexts.', 'info.'];
export function governedByContracts(op: Operation): boolean {
  for (const p of ROLES_ONLY_PREFIXES) if (op.startsWith(p)) return false;
  return true;
}

/** The reason of a permit given by roles alone (no contract governs the operation, or contracts are off). */
export const ROLE_PERMIT = 'permitted_by_role';

const DETAIL: Readonly<Record<string, string>> = {
  tenant_denied: 'The access token does not grant access to this tenant.',
  permitted_by_role: 'Permitted by role.',
  decision_error: 'The request could not be decided.',
};

function plain(id: string, effect: Decision['effect'], reason: string, detail = DETAIL[reason] ?? reason): Decision {
  return { id, effect, reason, detail, rules: [], obligations: { counters: [], auditLevel: 'normal' } };
}

function decideOrThrow(input: DecisionInput, snap: DecisionSnapshot): Decision {
  const { request: req, decisionId: id } = input;
  const tenants = req.subject.tenants;
  if (tenants !== undefined && !tenants.includes(req.tenant ?? '@default')) return plain(id, 'deny', 'tenant_denied');
  if (!snap.roles.allows(req.subject.roles, req.tenant, req.action)) {
    return plain(id, 'deny', 'role_denied', `No role of the caller allows "${req.action}" in this tenant.`);
  }
  if (snap.contracts === undefined || !governedByContracts(req.operation)) return plain(id, 'permit', ROLE_PERMIT);
  // Contracts name roles as the role policy defines them: with what each role inherits.
  const roles = snap.roles.withInherited(req.subject.roles, req.tenant);
  const asDecided = roles === req.subject.roles ? req : { ...req, subject: { ...req.subject, roles } };
  const state: DecideState = { counters: snap.counters, decisionId: id };
  if (input.considered) state.considered = input.considered;
  if (input.consents) state.consents = input.consents;
  return { ...decideContracts(asDecided, snap.contracts, state), contractRevision: snap.contracts.revision };
}

/**
 * True when usage contracts took part in the decision. Only then can it carry obligations
 * (a view, an area, counts) for the enforcing proxy; a permit by roles alone carries none.
 */
export function decidedByContracts(d: Decision): boolean {
  return d.contractRevision !== undefined;
}

/** Decides one request. Never throws: an internal failure is a deny with reason `decision_error`. */
export function decide(input: DecisionInput, snapshot: DecisionSnapshot): Decision {
  try {
    return decideOrThrow(input, snapshot);
  } catch {
    return plain(input.decisionId, 'deny', 'decision_error');
  }
}
