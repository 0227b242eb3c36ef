import type { NgsiRequest, RawRequest } from '../ngsi/index.js';
import type { VerifiedToken } from '../auth/index.js';
import type { Decision, PolicyRequest } from '../policy/index.js';
import type { ActiveContext } from '../context/index.js';
import type { UpstreamResponse } from './upstream.js';

/**
 * Everything one request accumulates on its way through the steps. Each step reads what
 * earlier steps left and adds its own part; the last writes the audit record from it.
 */
export interface RequestContext {
  requestId: string;
  /** One decision per request: the id in the audit record and in every error response. */
  decisionId: string;
  /** Wall-clock start, epoch ms (the audit record's time). */
  startedAt: number;
  /** Monotonic start (performance.now()), for latency. */
  t0: number;
  raw: RawRequest;
  /** The request body as received (JSON bodies only), parsed lazily by the classify step. */
  rawBody: Buffer | undefined;
  /** Route parameters (admin routes). */
  params: Record<string, string>;
  /** What the audit record names for requests outside the NGSI-LD API (admin operations). */
  auditAs?: { operation: string; action: string; targets: { entityIds: string[]; types: string[]; attrs: string[] } };
  clientIp: string;
  tls: boolean;
  /** RFC 8705 x5t#S256 of a verified client certificate. */
  certThumbprint?: string;
  token?: VerifiedToken;
  ngsi?: NgsiRequest;
  /** The caller's @context applied on top of the NGSI-LD core (set for contract-governed operations). */
  context?: ActiveContext;
  policy?: PolicyRequest;
  /** The broker was asked for a richer form than the caller (attribute details); give back the caller's form. */
  reshape?: 'attributeList';
  decision?: Decision;
  /** Body forwarded upstream: the parsed body serialised again, so the broker reads exactly what was checked. */
  forwardBody?: string;
  upstream?: UpstreamResponse;
  /** Final response, once decided. */
  response?: { status: number; headers: Record<string, string | string[]>; body: Buffer | string | undefined };
  /** Decision reason for the audit record. */
  reason: string;
  rules: string[];
}
