/**
 * Stored types: a write to entities that may exist is decided on the types the broker
 * holds, not on those its body claims. Before the decision, the broker is asked what the
 * written entities are (stored-types.ts) and the decision's view of the write is set to
 * that (stored-type-plan.ts); around the forward, what was known of entities whose types
 * the write may change is forgotten.
 *
 * What the caller learns: a write to an entity the broker does not hold answers 404, and
 * so does a denied write to an entity the caller may not read, in the same words and with
 * the same reason, so that "forbidden" tells nothing about existence. A caller who may read the entity learns why
 * its write is denied (403, at the decision). A lookup that fails denies: nothing is
 * forwarded.
 */
import { MimtrustError } from '../../errors/index.js';
import { notVisible } from '../../filter/index.js';
import { boundedByArea, decide, type Decision, type DecisionSnapshot, type PolicyRequest } from '../../policy/index.js';
import type { ContextResolver } from '../../context/index.js';
import { extend, type Decided, type Expanded, type Planned, type Forwarded } from '../exchange.js';
import { upstreamRequestHeaders } from '../headers.js';
import { refusal as refuse } from './decide.js';
import { planOnStoredTypes } from '../stored-type-plan.js';
import type { StoredTypes, StoredTypesQuery } from '../stored-types.js';
import type { UsageCounting } from '../usage-counters.js';
import { mayChangeTypes, writeTargets } from '../write-targets.js';

export interface StoredTypesDeps {
  /** Undefined when contracts are not enforced: roles do not depend on types. */
  storedTypes: StoredTypes | undefined;
  resolver: ContextResolver | undefined;
  snapshot: () => DecisionSnapshot;
  counters: UsageCounting;
  /** The lookup carries the caller's credentials exactly when the forward does. */
  forwardAuthorization: boolean;
}

const NOT_VISIBLE = 'entity_not_visible';

function lookupHeaders(r: Expanded, forwardAuthorization: boolean): Record<string, string> {
  const incoming: Record<string, string | string[] | undefined> = { accept: 'application/json' };
  if (forwardAuthorization) incoming.authorization = r.raw.headers.authorization;
  return upstreamRequestHeaders(incoming, {
    clientIp: r.clientIp,
    proto: r.tls ? 'https' : 'http',
    host: typeof r.raw.headers.host === 'string' ? r.raw.headers.host : undefined,
    tenant: r.ngsi.tenant,
    forwardAuthorization,
    bodyLength: undefined,
  });
}

/**
 * Whether a read decision lets the caller see the entities at all. Where one of their
 * types is shown only within areas, that cannot be told without their location: not
 * known to be visible.
 */
function mayRead(d: Decision): boolean {
  return d.effect === 'permit' && !boundedByArea(d.obligations);
}

/** Look the written entities up and set the decision's view of the write to what they are. */
export function decideOnStoredTypes(deps: StoredTypesDeps): (r: Expanded) => Promise<Expanded> {
  return async (r) => {
    const stored = deps.storedTypes;
    const active = r.context;
    if (!stored || !deps.resolver || !active) return r;
    const targets = writeTargets(r.ngsi, r.raw.body);
    if (!targets) return r;
    const snapshot = deps.snapshot();
    // A caller whose token or roles already refuse the write is refused by the decision as
    // it is, without asking the broker anything.
    if (decide({ request: r.policy, decisionId: r.decisionId }, { ...snapshot, contracts: undefined }).effect === 'deny') return r;
    const query: StoredTypesQuery = {
      tenant: r.ngsi.tenant,
      temporal: targets.temporal,
      local: r.ngsi.query.some(([n, v]) => n === 'local' && v === 'true'),
      ids: targets.targets.map((t) => t.id),
      headers: lookupHeaders(r, deps.forwardAuthorization),
      // A body naming a type may add one, which is decided on the entity as it is now (its
      // attributes included); such a write is forgotten afterwards anyway.
      fresh: targets.targets.some((t) => t.claimed.length > 0),
    };
    // The lookup sends no @context, so the broker names types and attributes under the core.
    const core = await deps.resolver.resolve(undefined);
    const plan = planOnStoredTypes({
      policy: r.policy, targets, stored: await stored.lookup(query),
      expandClaimed: (t) => active.expandTerm(t),
      expandStored: (t) => core.expandTerm(t),
    });
    // One reason for both ways of "not found", even in the audit: the decision API shows it.
    if (plan.missing.length > 0) throw notVisible(NOT_VISIBLE);

    const ask = (request: PolicyRequest): Decision => decide({ request, decisionId: r.decisionId }, snapshot);
    const primary = ask(plan.primary);
    // A permit within an area is refused at enforcement (nothing places what a write
    // changes): like a deny, it must not tell an entity the caller cannot see exists.
    if (primary.effect === 'deny' || boundedByArea(primary.obligations)) {
      if (plan.visibility && !mayRead(ask(plan.visibility))) throw notVisible(NOT_VISIBLE);
    } else {
      const counters: string[] = [];
      const limits: number[] = [];
      for (const { request, refusal } of plan.also) {
        const d = ask(request);
        if (d.effect === 'deny') {
          const decided = extend(r, { decision: d });
          throw refusal ? new MimtrustError('FORBIDDEN', refusal.detail, { reason: refusal.reason }) : refuse(decided);
        }
        counters.push(...d.obligations.counters);
        limits.push(...(d.obligations.limits ?? []));
      }
      // Counted here: enforcement counts only the decision of the write itself.
      if (counters.length > 0) await deps.counters.increment(counters, limits);
    }
    // The decision stage decides the write as it stands on the stored types (and denies with 403).
    return extend(r, { policy: plan.primary });
  };
}

/**
 * For a decision point whose caller forwards the write itself: once a write that may
 * change types is permitted, what was known of its entities is forgotten.
 */
export function forgetPermitted(stored: StoredTypes | undefined): (r: Decided) => Decided {
  return (r) => {
    if (stored && r.decision.effect === 'permit' && mayChangeTypes(r.ngsi, r.raw.body)) stored.forget(r.ngsi.tenant, r.ngsi.entityIds);
    return r;
  };
}

/**
 * Forward, then, whatever the outcome, forget what was known of the entities of a write
 * that may have changed their types (an update of attribute values leaves it valid).
 */
export function forgetWritten(stored: StoredTypes | undefined, forward: (r: Planned) => Promise<Forwarded>): (r: Planned) => Promise<Forwarded> {
  if (!stored) return forward;
  return async (r) => {
    try {
      return await forward(r);
    } finally {
      if (mayChangeTypes(r.ngsi, r.raw.body)) stored.forget(r.ngsi.tenant, r.ngsi.entityIds);
    }
  };
}
