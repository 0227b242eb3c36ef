/**
 * Keys of the usage counters behind `count` constraints: one per (contract, rule, caller,
 * period, window). The caller is its issuer and id together, so two callers of one name
 * from different issuers never share a quota. The window is written as its start and end
 * in epoch ms (or `total` for a lifetime count), so whoever holds the counters can tell
 * from a key alone when it stops mattering.
 */
import type { CountScope, Rule } from '../contracts/model.js';
import type { Subject } from './types.js';

const TOTAL = 'total';

/**
 * Who a counter is kept for: the issuer with the client, else the subject, else the
 * organisation, as `<length of iss>:<iss>|<id>`; undefined when the subject has no
 * identity. The length keeps the pair apart whatever characters either contains, at the
 * cost of one concatenation per decision.
 */
export function counterSubject(s: Subject): string | undefined {
  const id = s.clientId ?? s.sub ?? s.organisation;
  return id === undefined ? undefined : `${s.issuer.length}:${s.issuer}|${id}`;
}

/**
 * Whom a count shared wider than one caller is kept for (see `CountScope`; per role, one
 * key for each of the rule's roles the caller holds), or undefined when the caller has nothing to share it by (no client, no organisation, none of the
 * rule's assignee roles): the count then cannot be kept, and the constraint fails. The
 * scope's name leads the key, so it never equals a caller key (which starts with a digit).
 */
export function sharedCounter(scope: Exclude<CountScope, 'caller'>, rule: Pick<Rule, 'assignee'>, s: Subject): readonly string[] | undefined {
  switch (scope) {
    case 'client': return s.clientId === undefined ? undefined : [`client:${s.issuer.length}:${s.issuer}|${s.clientId}`];
    case 'organisation': return s.organisation === undefined ? undefined : [`org:${s.issuer.length}:${s.issuer}|${s.organisation}`];
    case 'role': {
      // One count per role: a caller holding several of the rule's roles is counted in each
      // and stopped by any that is spent, so holding one more role never opens a fresh pool.
      const named = rule.assignee?.roles;
      const held = named === undefined ? [] : s.roles.filter((r) => named.has(r));
      return held.length === 0 ? undefined : held.map((r) => `role:${r}`);
    }
    case 'everyone': return ['everyone'];
  }
}

export function counterKey(contract: string, rule: string, subjectKey: string, period: string, periodMs: number | null, now: number): string {
  if (periodMs === null) return `${contract}|${rule}|${subjectKey}|${period}|${TOTAL}`;
  const start = Math.floor(now / periodMs) * periodMs;
  return `${contract}|${rule}|${subjectKey}|${period}|${start}-${start + periodMs}`;
}

/** Epoch ms at which the key's window closes; Infinity for a lifetime count or a key not made here. */
export function counterWindowEnd(key: string): number {
  const window = key.slice(key.lastIndexOf('|') + 1);
  if (window === TOTAL) return Number.POSITIVE_INFINITY;
  const dash = window.indexOf('-');
  const end = dash === -1 ? Number.NaN : Number(window.slice(dash + 1));
  return Number.isFinite(end) ? end : Number.POSITIVE_INFINITY;
}
