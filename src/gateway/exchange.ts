/**
 * The typed hand-offs of the request path. Each stage takes one of these and returns the
 * next, adding exactly its own part, so a later stage cannot run without what an earlier
 * one must have produced. The object travels by reference (stages extend it), which keeps
 * the hot path free of copies and lets an error at any point be audited with everything
 * that was known by then (`Trail`).
 */
import type { NgsiRequest, RawRequest } from '../ngsi/index.js';
import type { Binding, VerifiedToken } from '../auth/index.js';
import type { ActiveContext } from '../context/index.js';
import type { ConsentGrant, Decision, PolicyRequest } from '../policy/index.js';
import type { UpstreamResponse } from './upstream.js';
import type { Fetched, Released } from '../filter/index.js';

/** A response about to leave: the broker's (possibly cut down) or the gateway's own. */
export interface Reply {
  status: number;
  headers: Record<string, string | string[]>;
  body: Buffer | undefined;
}

/** What the audit record names for exchanges outside the NGSI-LD API (admin, decision API). */
export interface AuditSubject {
  operation: string;
  action: string;
  targets: { entityIds: string[]; types: string[]; attrs: string[] };
  /** The provider whose contracts the call concerns (admin API). */
  providers?: string[];
}

/** A request as it arrived. */
export interface Received {
  requestId: string;
  /** One decision per request: the id in the audit record and in every error response. */
  decisionId: string;
  /** Wall-clock start, epoch ms (the audit record's time and the decision's clock). */
  startedAt: number;
  /** Monotonic start (performance.now()), for latency. */
  t0: number;
  raw: RawRequest;
  /** The body as received (JSON media types only); parsed after authentication. */
  rawBody: Buffer | undefined;
  /** Route parameters (admin routes). */
  params: Record<string, string>;
  clientIp: string;
  tls: boolean;
  /** RFC 8705 x5t#S256 of a verified client certificate. */
  certThumbprint: string | undefined;
  /**
   * Scheme, host and port as the client used them (the Host header, or X-Forwarded-Proto and
   * -Host with `trustProxy`): what a DPoP proof's `htu` names. Undefined where unknown.
   */
  origin?: string | undefined;
  /** Set by exchanges outside the NGSI-LD API, for their audit record. */
  auditAs?: AuditSubject;
  /** How the exchange ended, as its last audit record says: what the access line and metrics report. */
  verdict?: Verdict;
}

export interface Verdict {
  effect: 'permit' | 'deny';
  reason: string;
}

export interface Authenticated extends Received {
  token: VerifiedToken;
  /** How the token was bound to the caller (the audit record names it). */
  binding?: Binding;
  /** The consents the token rests on, looked up (the consents stage); undefined: none. */
  consents?: readonly ConsentGrant[];
}

export interface Classified extends Authenticated {
  ngsi: NgsiRequest;
  /** The parsed body serialised again: the broker reads exactly what was checked. */
  body: string | undefined;
}

export interface Expanded extends Classified {
  /** The caller's @context on top of the core; undefined where names are compared as written. */
  context: ActiveContext | undefined;
  /** The decision's view of the request. */
  policy: PolicyRequest;
}

export interface Decided extends Expanded {
  decision: Decision;
}

/** Exactly what goes to the broker: derived from the decision, never from raw input again. */
export interface ForwardPlan {
  method: string;
  /** Path and query, canonical. */
  target: string;
  body: string | undefined;
  /** The broker is asked for attribute details; the caller gets the attribute list it asked for. */
  reshape?: 'attributeList';
  /** Attributes asked of the broker only because the obligations read them: the filter takes them out. */
  fetched?: Fetched;
  /** The query was narrowed to the entities of the consenting data subjects (its count is exact). */
  consentNarrowed?: true;
}

export interface Planned extends Decided {
  plan: ForwardPlan;
  /** The decision is on record: a change's before it was forwarded, a read's before its answer leaves. */
  recordedBeforeEffect?: true;
  /** A read's decision record on its way to the disk while the broker answers; settled before the answer leaves. */
  decisionRecord?: Promise<void>;
}

export interface Forwarded extends Planned {
  upstream: UpstreamResponse;
}

export interface Answered extends Received {
  reply: Reply;
  /** Audit reason of a permitted exchange (e.g. `permitted`, `permitted_upstream_error`). */
  outcome: string;
  /** Set where the gateway answered with success yet released nothing (a dropped notification): recorded as a refusal. */
  effect?: 'deny';
  /** Data subject -> what the answer shows of their entities under their consent (the filter's count). */
  released?: ReadonlyMap<string, Released>;
}

/** Everything an exchange may have gathered when it ends, well or not: what the audit reads. */
export type Trail = Received & Partial<Omit<Forwarded, keyof Received>> & Partial<Omit<Answered, keyof Received>>;

/** Adds a stage's part to the exchange (same object, wider type). */
export function extend<T extends object, U extends object>(prev: T, part: U): T & U {
  return Object.assign(prev, part);
}
