/**
 * The dry-run request body, checked against the route's JSON schema (schemas.ts) and read into typed input.
 * The caller carries every field a token (and a declared recipient) gives a real request;
 * `now` sets the decision's clock, so time-bound rules can be checked either side of their
 * bounds.
 */
import { MimtrustError } from '../errors/index.js';
import { RECIPIENT_HEADER } from '../auth/index.js';
import { parseDateTime } from '../contracts/index.js';
import { bodyValidator, rawOf } from '../gateway/index.js';
import { dryRunBodySchema } from './schemas.js';

/** The caller of a dry run: what a verified token would say, every party id at its issuer. */
export interface DryRunCaller {
  /** The name contracts use for the caller's issuer. */
  issuer?: string;
  sub?: string;
  clientId?: string;
  organisation?: string;
  roles: string[];
  purpose?: string;
  /** The declared recipient, a party of the caller's issuer. */
  recipient?: string;
  tenants?: string[];
}

export interface DryRunInput {
  request: { method: string; url: string; headers: Record<string, string>; body?: unknown };
  caller: DryRunCaller;
  /** Epoch ms the decision is made at; undefined: when the dry run is asked. */
  now?: number;
}

interface Raw {
  request: { method: string; url: string; headers?: Record<string, string>; body?: unknown };
  caller: Omit<DryRunCaller, 'roles'> & { roles?: string[] };
  now?: string;
}

const read = bodyValidator<Raw>(dryRunBodySchema, 'dry-run request');

/** An ISO 8601 date-time with a time zone, at the body's `pointer` (/now, /at); undefined stays undefined. */
export function readInstant(text: string | undefined, what: string, pointer: string): number | undefined {
  if (text === undefined) return undefined;
  const at = parseDateTime(text);
  if (at === undefined) {
    throw new MimtrustError('BAD_REQUEST', `Invalid ${what}: ${pointer} must be an ISO 8601 date-time with a time zone (2026-03-01T08:00:00Z).`, { reason: 'invalid_body' });
  }
  return at;
}

export function readDryRun(body: unknown): DryRunInput {
  const b = read(body);
  const raw = rawOf({ ...b.request, target: b.request.url });
  // One place for each caller field: a header would say what caller.recipient says, or not.
  if (raw.headers[RECIPIENT_HEADER] !== undefined) {
    throw new MimtrustError('BAD_REQUEST', 'Invalid dry-run request: /request/headers names a recipient; declare it as /caller/recipient.', { reason: 'invalid_body' });
  }
  const { roles, ...rest } = b.caller;
  const now = readInstant(b.now, 'dry-run request', '/now');
  return {
    request: { method: raw.method, url: raw.url, headers: raw.headers as Record<string, string>, ...(b.request.body !== undefined ? { body: b.request.body } : {}) },
    caller: { roles: roles ?? [], ...rest },
    ...(now !== undefined ? { now } : {}),
  };
}
