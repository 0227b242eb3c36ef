import { MimtrustError } from '../../errors/index.js';
import type { AuditEvent, AuditLog } from '../../audit/index.js';
import type { Answered, Trail } from '../exchange.js';

const NO_TARGETS = { entityIds: [], types: [], attrs: [] } as const;

/**
 * Audit, the last stage: the response leaves only once its record is durable (nothing
 * lost). If the record cannot be written, the caller is told the request failed.
 */
export function auditPermitted(deps: { audit: AuditLog }): (r: Answered) => Promise<Answered> {
  return async (r) => {
    try {
      // A decision answered as data (the decision API) is recorded with its own effect.
      await deps.audit.append(auditEventOf(r, (r as Trail).decision?.effect ?? 'permit', r.outcome));
    } catch (err) {
      throw new MimtrustError('SERVICE_UNAVAILABLE', 'The audit log is unavailable; the request was not completed.', { reason: 'audit_unavailable', cause: err });
    }
    return r;
  };
}

/** The audit record of one exchange, whatever point it reached. */
export function auditEventOf(t: Trail, effect: 'permit' | 'deny', reason: string): AuditEvent {
  const ngsi = t.ngsi;
  const event: AuditEvent = {
    time: new Date(t.startedAt).toISOString(),
    decisionId: t.decisionId,
    requestId: t.requestId,
    operation: ngsi?.operation ?? t.auditAs?.operation ?? 'unclassified',
    action: ngsi?.action ?? t.auditAs?.action ?? 'unknown',
    targets: ngsi ? { entityIds: ngsi.entityIds, types: ngsi.types, attrs: ngsi.attrs } : (t.auditAs?.targets ?? NO_TARGETS),
    effect,
    reason,
    latencyMs: Math.round((performance.now() - t.t0) * 1000) / 1000,
    method: t.raw.method,
    path: ngsi ? ngsi.path : pathOnly(t.raw.url),
  };
  if (t.token?.sub !== undefined) event.sub = t.token.sub;
  if (t.token?.clientId !== undefined) event.clientId = t.token.clientId;
  if (ngsi?.tenant !== undefined) event.tenant = ngsi.tenant;
  const rules = t.decision?.rules;
  if (rules?.length) event.rules = rules.map((x) => `${x.contract}#${x.rule}`);
  // Only what the broker answered; the gateway's own answers (admin API, errors) have none.
  if (t.upstream) event.upstreamStatus = t.upstream.status;
  return event;
}

/** Unclassified paths are recorded without their query, which may carry anything. */
function pathOnly(url: string): string {
  const q = url.indexOf('?');
  const p = q === -1 ? url : url.slice(0, q);
  return p.length > 512 ? p.slice(0, 512) : p;
}
