/**
 * Checks and copies an incoming audit event before it is queued, so a malformed event
 * fails its own append instead of poisoning a batch, and what is hashed is exactly what
 * the store can give back (known fields only, well-formed Unicode, finite numbers).
 */
import { MimtrustError } from '../errors/index.js';
import type { AuditEvent, AuditTargets } from './types.js';

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

function targets(value: unknown): AuditTargets {
  if (typeof value !== 'object' || value === null) throw invalid('targets');
  const t = value as Partial<AuditTargets>;
  return {
    entityIds: textList(t.entityIds, 'targets.entityIds'),
    types: textList(t.types, 'targets.types'),
    attrs: textList(t.attrs, 'targets.attrs'),
  };
}

export function normalizeAuditEvent(event: AuditEvent): AuditEvent {
  if (typeof event !== 'object' || event === null) throw invalid('event');
  if (event.effect !== 'permit' && event.effect !== 'deny') throw invalid('effect');
  if (typeof event.latencyMs !== 'number' || !Number.isFinite(event.latencyMs)) throw invalid('latencyMs');
  const out: AuditEvent = {
    time: text(event.time, 'time'),
    decisionId: text(event.decisionId, 'decisionId'),
    requestId: text(event.requestId, 'requestId'),
    operation: text(event.operation, 'operation'),
    action: text(event.action, 'action'),
    targets: targets(event.targets),
    effect: event.effect,
    reason: text(event.reason, 'reason'),
    latencyMs: event.latencyMs,
    method: text(event.method, 'method'),
    path: text(event.path, 'path'),
  };
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
  return out;
}
