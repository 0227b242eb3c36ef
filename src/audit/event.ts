/**
 * Checks and copies an incoming audit event before it is queued, so a malformed event
 * fails its own append instead of poisoning a batch, and what is hashed is exactly what
 * the store can give back (known fields only, well-formed Unicode, finite numbers), and
 * bounded, so that a request naming thousands of ids cannot make a record of megabytes.
 */
import { MimtrustError } from '../errors/index.js';
import { createHash } from 'node:crypto';
import { canonicalJson } from '../lib/index.js';
import type { AuditConsent, AuditDecided, AuditEvent, AuditRelease, AuditTargets } from './types.js';

const LONE_SURROGATE = /[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/g;

function invalid(field: string): MimtrustError {
  return new MimtrustError('INTERNAL', `The audit event has an invalid ${field}.`, { reason: 'audit_event_invalid' });
}

// A lone surrogate is stored by SQLite as U+FFFD, so it is replaced before hashing. Most
// text is well formed, and asking is cheaper than a regex scan that finds nothing.
function text(value: unknown, field: string): string {
  if (typeof value !== 'string') throw invalid(field);
  return (value as unknown as WellFormed).isWellFormed() ? value : value.replace(LONE_SURROGATE, '\uFFFD');
}

// ES2024 (Node >= 20); the project's lib is ES2023.
interface WellFormed {
  isWellFormed(): boolean;
}

function optionalText(value: unknown, field: string): string | undefined {
  return value === undefined || value === null ? undefined : text(value, field);
}

// Filled by push, not allocated with its length: an array made with `new Array(n)` stays
// holey once filled, and the writer thread's structured clone copies a holey array as a
// sparse one, key by key.
function textList(value: unknown, field: string): string[] {
  if (!Array.isArray(value)) throw invalid(field);
  const out: string[] = [];
  for (let i = 0; i < value.length; i++) out.push(text(value[i], field));
  return out;
}

/** Longest name kept in a record; the digest covers the full one. */
export const MAX_TARGET_LENGTH = 512;
/** Default number of entries kept per target list. */
export const DEFAULT_MAX_TARGETS = 32;

// Takes a list the caller owns (a fresh copy) and cuts it in place, or slices it.
function bounded(list: string[], max: number): string[] {
  const out = list.length > max ? list.slice(0, max) : list;
  for (let i = 0; i < out.length; i++) {
    const item = out[i] as string;
    if (item.length > MAX_TARGET_LENGTH) {
      // Never split a surrogate pair: a lone half would be stored as U+FFFD and break the hash.
      const high = item.charCodeAt(MAX_TARGET_LENGTH - 1);
      out[i] = item.slice(0, high >= 0xd800 && high <= 0xdbff ? MAX_TARGET_LENGTH - 1 : MAX_TARGET_LENGTH);
    }
  }
  return out;
}

function cut(list: readonly string[], max: number): boolean {
  if (list.length > max) return true;
  for (let i = 0; i < list.length; i++) if ((list[i] as string).length > MAX_TARGET_LENGTH) return true;
  return false;
}

// Every object below is built with its keys in canonical (sorted) order, so that
// JSON.stringify of it is its canonical JSON (see chain.ts `normalizedPayload`).

function targets(value: unknown, max: number): AuditTargets {
  if (typeof value !== 'object' || value === null) throw invalid('targets');
  const t = value as Partial<AuditTargets>;
  const entityIds = textList(t.entityIds, 'targets.entityIds');
  const types = textList(t.types, 'targets.types');
  const attrs = textList(t.attrs, 'targets.attrs');
  if (!cut(entityIds, max) && !cut(types, max) && !cut(attrs, max)) return { attrs, entityIds, types };
  const digest = createHash('sha256').update(canonicalJson({ entityIds, types, attrs })).digest('hex');
  const counts = { attrs: attrs.length, entityIds: entityIds.length, types: types.length };
  return { attrs: bounded(attrs, max), counts, digest, entityIds: bounded(entityIds, max), types: bounded(types, max) };
}

function decided(value: unknown, max: number): AuditDecided {
  if (typeof value !== 'object' || value === null) throw invalid('decided');
  const d = value as Partial<AuditDecided>;
  const types = bounded(textList(d.types, 'decided.types'), max);
  return { attrs: bounded(textList(d.attrs, 'decided.attrs'), max), types };
}

const CONSENT_EVENTS: ReadonlySet<string> = new Set(['given', 'withdrawn', 'expired']);
const BINDINGS: ReadonlySet<string> = new Set(['bearer', 'dpop', 'mtls']);

function consent(value: unknown, max: number): AuditConsent {
  if (typeof value !== 'object' || value === null) throw invalid('consent');
  const c = value as Partial<AuditConsent>;
  if (typeof c.event !== 'string' || !CONSENT_EVENTS.has(c.event)) throw invalid('consent.event');
  const id = text(c.id, 'consent.id');
  const subject = text(c.subject, 'consent.subject');
  const recipient = text(c.recipient, 'consent.recipient');
  return { event: c.event, id, purposes: bounded(textList(c.purposes, 'consent.purposes'), max), recipient, subject };
}

/**
 * Every data subject is kept, since a person finds their records by it; what is kept of
 * each (types, attributes) is bounded like targets. Their number is bounded by the
 * consents a read rests on.
 */
function released(value: unknown, max: number): AuditRelease {
  if (typeof value !== 'object' || value === null) throw invalid('released');
  const r = value as Partial<AuditRelease>;
  if (!Array.isArray(r.subjects)) throw invalid('released.subjects');
  const consents = bounded(textList(r.consents, 'released.consents'), max);
  const subjects: AuditRelease['subjects'][number][] = [];
  for (const s of r.subjects as unknown[]) {
    if (typeof s !== 'object' || s === null) throw invalid('released.subjects');
    const d = s as Partial<AuditRelease['subjects'][number]>;
    const id = text(d.id, 'released.subjects.id');
    const types = bounded(textList(d.types, 'released.subjects.types'), max);
    subjects.push({ attrs: bounded(textList(d.attrs, 'released.subjects.attrs'), max), id, types });
  }
  const purpose = optionalText(r.purpose, 'released.purpose');
  return purpose === undefined ? { consents, subjects } : { consents, purpose, subjects };
}

function safeInteger(value: unknown, field: string): number | undefined {
  if (value === undefined || value === null) return undefined;
  if (!Number.isSafeInteger(value)) throw invalid(field);
  return value as number;
}

type Writable<T> = { -readonly [K in keyof T]: T[K] };

/**
 * The log's own copy of an event: known fields only, checked, bounded, with its keys (and
 * those of every nested object) in canonical order and its arrays packed. Fields are
 * checked first and the copy is built after, key by key in sorted order.
 */
export function normalizeAuditEvent(event: AuditEvent, maxTargets = DEFAULT_MAX_TARGETS): AuditEvent {
  if (typeof event !== 'object' || event === null) throw invalid('event');
  if (event.effect !== 'permit' && event.effect !== 'deny') throw invalid('effect');
  if (typeof event.latencyMs !== 'number' || !Number.isFinite(event.latencyMs)) throw invalid('latencyMs');
  const binding = event.binding ?? undefined;
  if (binding !== undefined && !BINDINGS.has(binding)) throw invalid('binding');
  const auditLevel = event.auditLevel ?? undefined;
  if (auditLevel !== undefined && auditLevel !== 'normal' && auditLevel !== 'detailed') throw invalid('auditLevel');
  const upstreamStatus = safeInteger(event.upstreamStatus, 'upstreamStatus');
  const contractRevision = safeInteger(event.contractRevision, 'contractRevision');
  const out = {} as Writable<AuditEvent>;
  out.action = text(event.action, 'action');
  if (auditLevel !== undefined) out.auditLevel = auditLevel;
  if (binding !== undefined) out.binding = binding;
  const clientId = optionalText(event.clientId, 'clientId');
  if (clientId !== undefined) out.clientId = clientId;
  if (event.consent !== undefined && event.consent !== null) out.consent = consent(event.consent, maxTargets);
  if (contractRevision !== undefined) out.contractRevision = contractRevision;
  if (event.decided !== undefined && event.decided !== null) out.decided = decided(event.decided, maxTargets);
  out.decisionId = text(event.decisionId, 'decisionId');
  out.effect = event.effect;
  const issuer = optionalText(event.issuer, 'issuer');
  if (issuer !== undefined) out.issuer = issuer;
  out.latencyMs = event.latencyMs;
  out.method = text(event.method, 'method');
  out.operation = text(event.operation, 'operation');
  out.path = text(event.path, 'path');
  if (event.providers !== undefined && event.providers !== null) out.providers = bounded(textList(event.providers, 'providers'), maxTargets);
  out.reason = text(event.reason, 'reason');
  if (event.released !== undefined && event.released !== null) out.released = released(event.released, maxTargets);
  out.requestId = text(event.requestId, 'requestId');
  if (event.rules !== undefined && event.rules !== null) out.rules = textList(event.rules, 'rules');
  const sub = optionalText(event.sub, 'sub');
  if (sub !== undefined) out.sub = sub;
  out.targets = targets(event.targets, maxTargets);
  const tenant = optionalText(event.tenant, 'tenant');
  if (tenant !== undefined) out.tenant = tenant;
  out.time = text(event.time, 'time');
  if (upstreamStatus !== undefined) out.upstreamStatus = upstreamStatus;
  return out;
}
