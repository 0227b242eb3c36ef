/**
 * Keys of the usage counters behind `count` constraints: one per (contract, rule, caller,
 * period, window). The caller is its issuer and id together, so two callers of one name
 * from different issuers never share a quota. The window is written as its start and end
 * in epoch ms (or `total` for a lifetime count), so whoever holds the counters can tell
 * from a key alone when it stops mattering.
 */
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
