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

// A lone surrogate is stored by SQLite as U+FFFD, so it is replaced before hashing.
function text(value: unknown, field: string): string {
  if (typeof value !== 'string') throw invalid(field);
  return value.replace(LONE_SURROGATE, '\uFFFD');
}

function optionalText(value: unknown, field: string): string | undefined {
  return value === undefined || value === null ? undefined : text(value, field);
}

function textList(value: unknown, field: string): string[] {
  if (!Array.isArray(value)) throw invalid(field);
  const out: string[] = new Array<string>(value.length);
  for (let i = 0; i < value.length; i++) out[i] = text(value[i], field);
  return out;
}

/** Longest name kept in a record; the digest covers the full one. */
export const MAX_TARGET_LENGTH = 512;
/** Default number of entries kept per target list. */
export const DEFAULT_MAX_TARGETS = 32;

function bounded(list: readonly string[], max: number): string[] {
  const out = list.length > max ? list.slice(0, max) : [...list];
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
  return list.length > max || list.some((item) => item.length > MAX_TARGET_LENGTH);
}

function targets(value: unknown, max: number): AuditTargets {
  if (typeof value !== 'object' || value === null) throw invalid('targets');
  const t = value as Partial<AuditTargets>;
  const full = {
    entityIds: textList(t.entityIds, 'targets.entityIds'),
    types: textList(t.types, 'targets.types'),
    attrs: textList(t.attrs, 'targets.attrs'),
  };
  if (!cut(full.entityIds, max) && !cut(full.types, max) && !cut(full.attrs, max)) return full;
  return {
    entityIds: bounded(full.entityIds, max),
    types: bounded(full.types, max),
    attrs: bounded(full.attrs, max),
    digest: createHash('sha256').update(canonicalJson(full)).digest('hex'),
    counts: { entityIds: full.entityIds.length, types: full.types.length, attrs: full.attrs.length },
  };
}

function decided(value: unknown, max: number): AuditDecided {
  if (typeof value !== 'object' || value === null) throw invalid('decided');
  const d = value as Partial<AuditDecided>;
  return { types: bounded(textList(d.types, 'decided.types'), max), attrs: bounded(textList(d.attrs, 'decided.attrs'), max) };
}

const CONSENT_EVENTS: ReadonlySet<string> = new Set(['given', 'withdrawn', 'expired']);
const BINDINGS: ReadonlySet<string> = new Set(['bearer', 'dpop', 'mtls']);

function consent(value: unknown, max: number): AuditConsent {
  if (typeof value !== 'object' || value === null) throw invalid('consent');
  const c = value as Partial<AuditConsent>;
  if (typeof c.event !== 'string' || !CONSENT_EVENTS.has(c.event)) throw invalid('consent.event');
  return {
    id: text(c.id, 'consent.id'),
    event: c.event,
    subject: text(c.subject, 'consent.subject'),
    recipient: text(c.recipient, 'consent.recipient'),
    purposes: bounded(textList(c.purposes, 'consent.purposes'), max),
  };
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
  const out: AuditRelease = {
    consents: bounded(textList(r.consents, 'released.consents'), max),
    subjects: r.subjects.map((s: unknown) => {
      if (typeof s !== 'object' || s === null) throw invalid('released.subjects');
      const d = s as Partial<AuditRelease['subjects'][number]>;
      return { id: text(d.id, 'released.subjects.id'), types: bounded(textList(d.types, 'released.subjects.types'), max), attrs: bounded(textList(d.attrs, 'released.subjects.attrs'), max) };
    }),
  };
  const purpose = optionalText(r.purpose, 'released.purpose');
  if (purpose !== undefined) out.purpose = purpose;
  return out;
}

export function normalizeAuditEvent(event: AuditEvent, maxTargets = DEFAULT_MAX_TARGETS): AuditEvent {
  if (typeof event !== 'object' || event === null) throw invalid('event');
  if (event.effect !== 'permit' && event.effect !== 'deny') throw invalid('effect');
  if (typeof event.latencyMs !== 'number' || !Number.isFinite(event.latencyMs)) throw invalid('latencyMs');
  const out: AuditEvent = {
    time: text(event.time, 'time'),
    decisionId: text(event.decisionId, 'decisionId'),
    requestId: text(event.requestId, 'requestId'),
    operation: text(event.operation, 'operation'),
    action: text(event.action, 'action'),
    targets: targets(event.targets, maxTargets),
    effect: event.effect,
    reason: text(event.reason, 'reason'),
    latencyMs: event.latencyMs,
    method: text(event.method, 'method'),
    path: text(event.path, 'path'),
  };
  const issuer = optionalText(event.issuer, 'issuer');
  if (issuer !== undefined) out.issuer = issuer;
  const sub = optionalText(event.sub, 'sub');
  if (sub !== undefined) out.sub = sub;
  const clientId = optionalText(event.clientId, 'clientId');
  if (clientId !== undefined) out.clientId = clientId;
  const tenant = optionalText(event.tenant, 'tenant');
  if (tenant !== undefined) out.tenant = tenant;
  if (event.rules !== undefined && event.rules !== null) out.rules = textList(event.rules, 'rules');
  if (event.upstreamStatus !== undefined && event.upstreamStatus !== null) {
    if (!Number.isSafeInteger(event.upstreamStatus)) throw invalid('upstreamStatus');
    out.upstreamStatus = event.upstreamStatus;
  }
  if (event.decided !== undefined && event.decided !== null) out.decided = decided(event.decided, maxTargets);
  if (event.contractRevision !== undefined && event.contractRevision !== null) {
    if (!Number.isSafeInteger(event.contractRevision)) throw invalid('contractRevision');
    out.contractRevision = event.contractRevision;
  }
  if (event.providers !== undefined && event.providers !== null) out.providers = bounded(textList(event.providers, 'providers'), maxTargets);
  if (event.consent !== undefined && event.consent !== null) out.consent = consent(event.consent, maxTargets);
  if (event.released !== undefined && event.released !== null) out.released = released(event.released, maxTargets);
  if (event.binding !== undefined && event.binding !== null) {
    if (!BINDINGS.has(event.binding)) throw invalid('binding');
    out.binding = event.binding;
  }
  if (event.auditLevel !== undefined && event.auditLevel !== null) {
    if (event.auditLevel !== 'normal' && event.auditLevel !== 'detailed') throw invalid('auditLevel');
    out.auditLevel = event.auditLevel;
  }
  return out;
}
