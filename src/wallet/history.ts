/**
 * A person's access history from the audit log: each permitted read or notification that
 * released their data under consent, as they should read it. Pure. Only their own entry of
 * a record is ever taken: a read that also released others' data shows nothing of the
 * others. An exchange recorded twice (a notification: before delivery and when done) is
 * one access.
 */
import type { AuditRecord } from '../audit/index.js';

export interface Access {
  /** ISO 8601. */
  at: string;
  issuer?: string;
  clientId?: string;
  /** DPV purpose IRI the reader declared. */
  purpose?: string;
  /** Entity type and attribute IRIs shown of this person's entities. */
  types: readonly string[];
  attrs: readonly string[];
}

/** The reads of `subject`'s data among `records`, newest first. */
export function accessesOf(records: readonly AuditRecord[], subject: string): Access[] {
  const out: Access[] = [];
  const seen = new Set<string>();
  for (const r of records) {
    if (r.effect !== 'permit') continue;
    const mine = r.released?.subjects.find((s) => s.id === subject);
    if (mine === undefined || seen.has(r.decisionId)) continue;
    seen.add(r.decisionId);
    const a: Access = { at: r.time, types: mine.types, attrs: mine.attrs };
    if (r.issuer !== undefined) a.issuer = r.issuer;
    if (r.clientId !== undefined) a.clientId = r.clientId;
    if (r.released?.purpose !== undefined) a.purpose = r.released.purpose;
    out.push(a);
  }
  return out.sort((x, y) => (x.at < y.at ? 1 : x.at > y.at ? -1 : 0));
}
