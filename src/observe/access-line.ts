/**
 * The one line logged per request, once its response has left, and the labels its metrics
 * are counted under. Built from the exchange's trail, which holds what the gateway decided,
 * and from nothing the caller sent but the method and the route it matched: no header,
 * token, query value or path identifier can reach the line.
 */
import type { BasePath } from '../ngsi/index.js';
import type { Trail } from '../gateway/index.js';
import { operationOf, routeTemplate } from './route-template.js';

/** An exchange that ended before anything named its operation (no token, a malformed request). */
export const UNCLASSIFIED = 'unclassified';

export interface ResponseFacts {
  method: string;
  url: string;
  fastifyRoute: string | undefined;
  status: number;
  /** Time from the request's arrival to the response's end. */
  elapsedMs: number;
}

export interface AccessLine {
  method: string;
  route: string;
  status: number;
  ms: number;
  /** Set for exchanges, which are decided and audited; absent for probes such as /health. */
  operation?: string;
  decisionId?: string;
  effect?: string;
  reason?: string;
}

const METHODS = new Set(['GET', 'HEAD', 'POST', 'PUT', 'PATCH', 'DELETE', 'OPTIONS']);

/** The line for one response; `trail` is the exchange's, undefined for routes that are not one. */
export function accessLine(r: ResponseFacts, trail: Trail | undefined, base: BasePath): AccessLine {
  const operation = trail?.ngsi?.operation ?? trail?.auditAs?.operation ?? (trail ? operationOf(r.method, r.url, base) : undefined);
  const line: AccessLine = {
    // A method is a token of the caller's choosing: only the ones a route can have are shown.
    method: METHODS.has(r.method) ? r.method : 'OTHER',
    route: routeTemplate({ method: r.method, url: r.url, fastifyRoute: r.fastifyRoute, operation }, base),
    status: r.status,
    ms: Math.round(r.elapsedMs * 100) / 100,
  };
  if (trail === undefined) return line;
  line.operation = operation ?? UNCLASSIFIED;
  line.decisionId = trail.decisionId;
  if (trail.verdict) {
    line.effect = trail.verdict.effect;
    line.reason = trail.verdict.reason;
  }
  return line;
}
