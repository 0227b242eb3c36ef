import type { AuditEvent } from '../audit/index.js';
import type { RequestContext } from './context.js';

const NO_TARGETS = { entityIds: [], types: [], attrs: [] } as const;

/** The audit record of one request, whatever point it reached. */
export function auditEventOf(ctx: RequestContext, effect: 'permit' | 'deny'): AuditEvent {
  const ngsi = ctx.ngsi;
  const event: AuditEvent = {
    time: new Date(ctx.startedAt).toISOString(),
    decisionId: ctx.decisionId,
    requestId: ctx.requestId,
    operation: ngsi?.operation ?? ctx.auditAs?.operation ?? 'unclassified',
    action: ngsi?.action ?? ctx.auditAs?.action ?? 'unknown',
    targets: ngsi ? { entityIds: ngsi.entityIds, types: ngsi.types, attrs: ngsi.attrs } : (ctx.auditAs?.targets ?? NO_TARGETS),
    effect,
    reason: ctx.reason,
    latencyMs: Math.round((performance.now() - ctx.t0) * 1000) / 1000,
    method: ctx.raw.method,
    path: ngsi ? ngsi.path : pathOnly(ctx.raw.url),
  };
  if (ctx.token?.sub !== undefined) event.sub = ctx.token.sub;
  if (ctx.token?.clientId !== undefined) event.clientId = ctx.token.clientId;
  if (ngsi?.tenant !== undefined) event.tenant = ngsi.tenant;
  if (ctx.rules.length) event.rules = ctx.rules;
  // Only what the broker answered; the gateway's own answers (admin API, errors) have none.
  if (ctx.upstream) event.upstreamStatus = ctx.upstream.status;
  return event;
}

/** Unclassified paths are recorded without their query, which may carry anything. */
function pathOnly(url: string): string {
  const q = url.indexOf('?');
  const p = q === -1 ? url : url.slice(0, q);
  return p.length > 512 ? p.slice(0, 512) : p;
}
