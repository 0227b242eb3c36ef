/**
 * Pure transformations of subscription bodies: the subscriber's endpoint taken out and
 * the gateway's relay URL put in its place for the broker; the stored subscription merged
 * with a patch; the broker's subscriptions shown back with the subscriber's endpoint (to
 * its owner) or with every secret hidden (to anyone else).
 */
import { MimtrustError } from '../errors/index.js';
import { isObject } from '../lib/index.js';
import type { SubscriberEndpoint } from './types.js';

type Obj = Record<string, unknown>;

export { isObject };

function invalid(what: string): MimtrustError {
  return new MimtrustError('BAD_REQUEST', `The subscription is not valid: ${what}.`, { reason: 'invalid_body' });
}

const ACCEPT = new Set(['application/json', 'application/ld+json']);
const TOKEN = /^[!#$%&'*+.^_`|~0-9A-Za-z-]{1,128}$/;
/** Headers the gateway sets itself on a delivery; receiverInfo may not name them. */
const RESERVED_HEADERS = new Set([
  'host', 'content-length', 'content-type', 'transfer-encoding', 'connection', 'keep-alive', 'te', 'trailer',
  'upgrade', 'proxy-authorization', 'proxy-connection', 'expect', 'link',
]);
const ENDPOINT_MEMBERS = new Set(['uri', 'accept', 'receiverInfo', 'notifierInfo', 'timeout', 'cooldown']);

function keyValues(v: unknown, what: string, asHeaders: boolean): void {
  if (!Array.isArray(v)) throw invalid(`${what} must be an array`);
  for (const item of v) {
    if (!isObject(item) || typeof item.key !== 'string' || typeof item.value !== 'string' || Object.keys(item).length !== 2) {
      throw invalid(`${what} entries must be {"key", "value"} strings`);
    }
    if (asHeaders && (!TOKEN.test(item.key) || RESERVED_HEADERS.has(item.key.toLowerCase()))) throw invalid(`a ${what} key is not a header name the gateway can send`);
    if (asHeaders && /[\r\n\0]/.test(item.value)) throw invalid(`a ${what} value contains a line break`);
  }
}

/** The subscriber's endpoint, checked for shape (the URL itself is checked by the endpoint policy). */
export function endpointOf(body: Obj): SubscriberEndpoint {
  const n = body.notification;
  if (!isObject(n)) throw invalid('"notification" is required');
  const ep = n.endpoint;
  if (!isObject(ep)) throw invalid('"notification.endpoint" is required');
  for (const k of Object.keys(ep)) if (!ENDPOINT_MEMBERS.has(k)) throw invalid('"notification.endpoint" has an unknown member');
  if (typeof ep.uri !== 'string' || ep.uri === '') throw invalid('"notification.endpoint.uri" must be a string');
  if (ep.accept !== undefined && (typeof ep.accept !== 'string' || !ACCEPT.has(ep.accept))) {
    throw invalid('"notification.endpoint.accept" must be application/json or application/ld+json');
  }
  if (ep.receiverInfo !== undefined) keyValues(ep.receiverInfo, 'receiverInfo', true);
  if (ep.notifierInfo !== undefined) keyValues(ep.notifierInfo, 'notifierInfo', false);
  return structuredClone(ep) as SubscriberEndpoint;
}

/** The body without `notification.endpoint`: what is kept as decided. */
export function withoutEndpoint(body: Obj): Obj {
  const out = structuredClone(body);
  if (isObject(out.notification)) delete out.notification.endpoint;
  return out;
}

/** The body the broker receives: the endpoint is the gateway's relay URL, nothing of the subscriber's. */
export function withRelayEndpoint(body: Obj, relayUrl: string): Obj {
  const out = structuredClone(body);
  const n = isObject(out.notification) ? out.notification : (out.notification = {});
  n.endpoint = { uri: relayUrl, accept: 'application/json' };
  return out;
}

/** The body with the subscriber's endpoint put back. */
export function withEndpoint(body: Obj, endpoint: SubscriberEndpoint | Obj): Obj {
  const out = structuredClone(body);
  const n = isObject(out.notification) ? out.notification : (out.notification = {});
  n.endpoint = structuredClone(endpoint);
  return out;
}

/** Members a broker adds to a subscription it holds; a create or patch never carries them. */
const SYSTEM_MEMBERS = ['status', 'createdAt', 'modifiedAt', 'deletedAt', 'expires'];
const NOTIFICATION_SYSTEM_MEMBERS = ['status', 'timesSent', 'timesFailed', 'lastNotification', 'lastFailure', 'lastSuccess', 'lastErrorReason'];

/**
 * The subscription as it will be after a PATCH: each member of the patch replaces the
 * stored one, and `notification` is merged member by member (the gateway then sends the
 * whole merged `notification`, so brokers that replace and brokers that merge end alike).
 */
export function mergePatch(stored: Obj, patch: Obj): Obj {
  const out = structuredClone(stored);
  for (const k of SYSTEM_MEMBERS) delete out[k];
  if (isObject(out.notification)) for (const k of NOTIFICATION_SYSTEM_MEMBERS) delete out.notification[k];
  for (const [k, v] of Object.entries(patch)) {
    if (k === 'notification' && isObject(v) && isObject(out.notification)) out.notification = { ...out.notification, ...structuredClone(v) };
    else out[k] = structuredClone(v);
  }
  return out;
}

const HIDDEN = '********';

/**
 * The endpoint as someone other than the subscriber sees it: the origin only (paths and
 * queries often carry webhook secrets), receiverInfo and notifierInfo keys with hidden values.
 */
export function redactedEndpoint(endpoint: unknown): Obj {
  const ep = isObject(endpoint) ? endpoint : {};
  const out: Obj = {};
  let origin = 'about:blank';
  try {
    if (typeof ep.uri === 'string') origin = new URL(ep.uri).origin;
  } catch {
    // an unparseable uri is shown as nothing
  }
  out.uri = origin === 'null' ? 'about:blank' : origin;
  if (typeof ep.accept === 'string') out.accept = ep.accept;
  for (const field of ['receiverInfo', 'notifierInfo'] as const) {
    const list = ep[field];
    if (Array.isArray(list)) out[field] = list.map((kv) => ({ key: isObject(kv) && typeof kv.key === 'string' ? kv.key : '', value: HIDDEN }));
  }
  return out;
}

/**
 * A subscription from the broker as the caller may see it: its owner sees the endpoint it
 * wrote; anyone else (an administrator) sees it redacted. The relay URL never shows.
 */
export function presentSubscription(sub: unknown, endpoint: SubscriberEndpoint | undefined, owner: boolean): unknown {
  if (!isObject(sub)) return sub;
  if (!isObject(sub.notification)) return sub;
  const shown = endpoint ?? sub.notification.endpoint;
  return withEndpoint(sub, owner && endpoint ? endpoint : redactedEndpoint(shown));
}
