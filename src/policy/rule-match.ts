/**
 * Whether one compiled rule applies to a request: tenant, entity ids and constraints.
 * (Action, assignee and entity type are settled by the snapshot's index before this.)
 * Pure: the clock is the request's `now`, counters are passed in.
 */
import type { Comparison, Constraint, Rule } from '../contracts/model.js';
import { DEFAULT_TENANT_DOMAIN } from '../ngsi/tenant.js';
import { purposeAncestors, purposeIri } from '../contracts/purposes.js';
import { hasParty } from '../contracts/parties.js';
import type { PolicyRequest } from './types.js';
import { counterKey, sharedCounter } from './counter-key.js';

export interface MatchInput {
  req: PolicyRequest;
  counters: ReadonlyMap<string, number>;
  /** Who counters are kept for (counterSubject); undefined when the subject has no identity. */
  subjectKey: string | undefined;
  /** Filled with the limit of every counter key met, the lowest when two constraints share a key. */
  limits?: Map<string, number>;
}

function noteLimit(input: MatchInput, key: string, max: number): void {
  const held = input.limits?.get(key);
  if (input.limits !== undefined && (held === undefined || max < held)) input.limits.set(key, max);
}

export function tenantMatches(rule: Rule, req: PolicyRequest): boolean {
  return rule.tenants === null || rule.tenants.has(req.tenant ?? DEFAULT_TENANT_DOMAIN);
}

function idMatches(rule: Rule, id: string): boolean {
  const m = rule.ids;
  if (m === null) return true;
  return m.pattern !== null ? m.pattern.test(id) : m.ids !== null && m.ids.has(id);
}

/**
 * A permission restricted to some entity ids covers a request only when the request names
 * its entities by id, all of them matching: a query by type or pattern could return others.
 */
export function idsCovered(rule: Rule, req: PolicyRequest): boolean {
  if (rule.ids === null) return true;
  if (req.idPatterns.length > 0 || req.entityIds.length === 0) return false;
  for (const id of req.entityIds) if (!idMatches(rule, id)) return false;
  return true;
}

/** A prohibition restricted to some entity ids applies whenever the request may touch one of them. */
export function idsMayTouch(rule: Rule, req: PolicyRequest): boolean {
  if (rule.ids === null || req.idPatterns.length > 0 || req.entityIds.length === 0) return true;
  for (const id of req.entityIds) if (idMatches(rule, id)) return true;
  return false;
}

function compare(op: Comparison, now: number, at: number): boolean {
  switch (op) {
    case 'neq': return now !== at;
    case 'lt': return now < at;
    case 'lteq': return now <= at;
    case 'gt': return now > at;
    case 'gteq': return now >= at;
    case 'eq': return now === at;
  }
}

/**
 * Whether the declared purpose meets the constraint. Both DPV namespaces are read here, so
 * the answer never depends on how the caller spelled it. A prohibition binds: a request
 * that declares no purpose, or one outside the DPV table, could be for the prohibited
 * purpose, so the prohibition applies to it.
 */
function purposeHolds(c: Extract<Constraint, { kind: 'purpose' }>, declared: string | undefined): boolean {
  const iri = declared === undefined ? undefined : purposeIri(declared);
  if (iri === undefined) return c.binding;
  if (c.exact) return c.allowed.has(iri) || c.broader.has(iri);
  for (const p of purposeAncestors(iri)) if (c.allowed.has(p)) return true;
  return c.broader.has(iri);
}

/**
 * Whether the recipients meet the constraint. Without a declared recipient the caller is
 * the recipient. With one, the data is for it, but the caller receives the data all the
 * same: a permission naming recipients is met by the declared one, while wherever a
 * listed party must not receive the data (`neq` in a permission, any prohibition) the
 * caller is judged too, so declaring someone else never dodges a rule naming the caller.
 */
function recipientHolds(c: Extract<Constraint, { kind: 'recipient' }>, req: PolicyRequest): boolean {
  const s = req.subject;
  const caller = hasParty(c.allowed, s.issuer, s.clientId) || hasParty(c.allowed, s.issuer, s.organisation) || hasParty(c.allowed, s.issuer, s.sub);
  if (req.recipient === undefined) return caller !== c.negated;
  const declared = hasParty(c.allowed, req.recipient.issuer, req.recipient.id);
  if (c.binding) return c.negated ? !(caller && declared) : caller || declared;
  return c.negated ? !(caller || declared) : declared;
}

/**
 * Evaluates one constraint. Counter keys of the count constraints that were satisfied on
 * the way are appended to `out`; the caller truncates `out` when the whole rule fails.
 */
export function constraintHolds(c: Constraint, rule: Rule, input: MatchInput, out: string[]): boolean {
  const req = input.req;
  switch (c.kind) {
    case 'dateTime': return compare(c.op, req.now, c.at);
    case 'purpose': return purposeHolds(c, req.purpose);
    case 'recipient': return recipientHolds(c, req);
    case 'role': return req.subject.roles.some((r) => c.allowed.has(r)) !== c.negated;
    case 'elapsedTime': return req.now >= c.from && req.now <= c.until;
    case 'count': {
      if (c.scope === 'caller') {
        if (input.subjectKey === undefined) return false;
        const key = counterKey(rule.contract, rule.uid, input.subjectKey, c.period, c.periodMs, req.now);
        if ((input.counters.get(key) ?? 0) >= c.max) return false;
        out.push(key);
        noteLimit(input, key, c.max);
        return true;
      }
      const shared = sharedCounter(c.scope, rule, req.subject);
      if (shared === undefined) return false;
      const keys = shared.map((who) => counterKey(rule.contract, rule.uid, who, c.period, c.periodMs, req.now));
      if (keys.some((key) => (input.counters.get(key) ?? 0) >= c.max)) return false;
      out.push(...keys);
      for (const key of keys) noteLimit(input, key, c.max);
      return true;
    }
    case 'and': {
      for (const part of c.parts) if (!constraintHolds(part, rule, input, out)) return false;
      return true;
    }
    case 'or': {
      // The first branch that holds is the one taken: only its counters count.
      for (const part of c.parts) {
        const mark = out.length;
        if (constraintHolds(part, rule, input, out)) return true;
        out.length = mark;
      }
      return false;
    }
    case 'xone': {
      let held = 0;
      for (const part of c.parts) {
        const mark = out.length;
        if (constraintHolds(part, rule, input, out)) held++;
        else out.length = mark;
        if (held > 1) return false;
      }
      return held === 1;
    }
  }
}

/**
 * The first of the rule's constraints that does not hold (its kind: purpose, count,
 * dateTime, ..., or and/or/xone), or undefined when all hold; `out` gets the rule's
 * counter keys when they do.
 */
export function unmetConstraint(rule: Rule, input: MatchInput, out: string[]): Constraint['kind'] | undefined {
  const mark = out.length;
  for (const c of rule.constraints) {
    if (!constraintHolds(c, rule, input, out)) {
      out.length = mark;
      return c.kind;
    }
  }
  return undefined;
}

/** True when every constraint of the rule holds; `out` gets the rule's counter keys. */
export function constraintsHold(rule: Rule, input: MatchInput, out: string[]): boolean {
  return unmetConstraint(rule, input, out) === undefined;
}
