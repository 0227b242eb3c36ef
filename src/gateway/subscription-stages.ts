/**
 * The stages for owned and relayed subscriptions, over the subscriptions/ modules: `own`
 * after the plan (ownership, endpoint, relay URL, the update decided on the merged
 * subscription), `show` after the broker answered (record kept or dropped, endpoints shown
 * back or hidden, lists cut to the caller's own), and the relay route the broker posts
 * notifications to.
 */
import type { FastifyInstance } from 'fastify';
import { MimtrustError } from '../errors/index.js';
import type { AuditLog } from '../audit/index.js';
import type { ContextResolver } from '../context/index.js';
import type { DecisionSnapshot } from '../policy/index.js';
import {
  NotificationRelay, SubscriptionOwnership, subscriberToken, subscriptionNotFound,
  type Access, type Caller, type ContextHeaders, type PendingChange, type Subscriber,
} from '../subscriptions/index.js';
import { extend, type Answered, type Authenticated, type Decided, type Planned, type Received } from './exchange.js';
import { exchange, type ExchangeDeps } from './handler.js';
import { pipeline, type Stage } from './pipeline.js';
import type { Upstream } from './upstream.js';
import type { UsageCounting } from './usage-counters.js';
import { upstreamRequestHeaders } from './headers.js';
import { classifyRequest, readJsonBody } from './stages/classify.js';
import { expandNames } from './stages/expand.js';
import { decideRequest } from './stages/decide.js';
import { checkEnforceable } from './stages/enforce.js';
import { auditPermitted, recordDecision } from './stages/audit.js';

export interface SubscriptionStageDeps {
  basePath: string;
  /** Undefined when contracts are not enforced. */
  resolver: ContextResolver | undefined;
  snapshot: () => DecisionSnapshot;
  counters: UsageCounting;
  upstream: Upstream;
  audit: AuditLog;
  log: { error(obj: unknown, msg: string): void };
  ownership: SubscriptionOwnership;
  relay: NotificationRelay;
}

export const RELAY_PATH = '/relay/notify';

/** What `own` leaves for `show`, per exchange. */
interface Held { operation: string; tenant: string | undefined; caller: Caller; access?: Access; pending?: PendingChange }
const held = new WeakMap<Received, Held>();

function header(v: string | string[] | undefined): string | undefined {
  return Array.isArray(v) ? v.join(', ') : v;
}

function contextHeadersOf(r: Received): ContextHeaders {
  const link = header(r.raw.headers.link);
  const contentType = header(r.raw.headers['content-type']);
  return { ...(link !== undefined ? { link } : {}), ...(contentType !== undefined ? { contentType } : {}) };
}

function callerOf(r: Decided, deps: SubscriptionStageDeps): Caller {
  return {
    token: r.token,
    ...(r.certThumbprint !== undefined ? { certThumbprint: r.certThumbprint } : {}),
    ...(r.consents !== undefined ? { consents: r.consents } : {}),
    admin: deps.snapshot().roles.allows(r.token.roles, r.ngsi.tenant, 'manageSubscriptions'),
  };
}

/**
 * A subscription body decided as a create by `subscriber`, on the consents it rests on as
 * looked up by the caller, through the same stages a create request goes through
 * (classify, expand, decide, enforce), on an exchange of its own.
 */
async function decideAsCreate(
  parent: Received, deps: SubscriptionStageDeps, body: Record<string, unknown>, context: ContextHeaders, subscriber: Subscriber,
): Promise<Decided> {
  const r: Authenticated = {
    requestId: parent.requestId,
    decisionId: parent.decisionId,
    startedAt: parent.startedAt,
    t0: parent.t0,
    raw: {
      method: 'POST',
      url: `${deps.basePath}/subscriptions`,
      headers: { 'content-type': context.contentType ?? 'application/json', ...(context.link !== undefined ? { link: context.link } : {}) },
    },
    rawBody: Buffer.from(JSON.stringify(body)),
    params: {},
    clientIp: parent.clientIp,
    tls: parent.tls,
    certThumbprint: subscriber.certThumbprint,
    token: subscriber.token,
    ...(subscriber.consents !== undefined ? { consents: subscriber.consents } : {}),
  };
  const expanded = await expandNames(deps)(classifyRequest(deps)(r));
  return decideRequest(deps)(expanded);
}

/** The subscription as the broker holds it now, for an update to be merged into. */
async function fetchStored(r: Planned, deps: SubscriptionStageDeps): Promise<Record<string, unknown>> {
  const headers = upstreamRequestHeaders({ accept: 'application/json' }, {
    clientIp: r.clientIp, proto: r.tls ? 'https' : 'http', host: undefined, tenant: r.ngsi.tenant,
    forwardAuthorization: false, bodyLength: undefined,
  });
  const res = await deps.upstream.send({ method: 'GET', path: r.ngsi.path, headers });
  if (res.status === 404) throw subscriptionNotFound();
  let body: unknown;
  try {
    body = res.status === 200 ? JSON.parse(res.body.toString('utf8')) : undefined;
  } catch {
    body = undefined;
  }
  if (typeof body !== 'object' || body === null || Array.isArray(body)) {
    throw new MimtrustError('BAD_GATEWAY', 'The broker did not give the subscription to be updated.', { reason: 'upstream_subscription_unavailable' });
  }
  return body as Record<string, unknown>;
}

/**
 * Own: a create keeps the subscriber's endpoint and gives the broker a relay URL; a
 * retrieve, update or delete of someone else's subscription is the not-found error; an
 * update is decided again on the merged subscription, as a create would be.
 */
export function ownSubscriptions(deps: SubscriptionStageDeps): Stage<Planned, Planned> {
  return async (r) => {
    const { ngsi } = r;
    if (!ngsi.operation.startsWith('subscription.')) return r;
    const own = deps.ownership;
    const caller = callerOf(r, deps);
    const base = { operation: ngsi.operation, tenant: ngsi.tenant, caller };
    switch (ngsi.operation) {
      case 'subscription.create': {
        const pending = await own.beforeCreate(ngsi.tenant, r.raw.body, contextHeadersOf(r), caller);
        r.plan.body = JSON.stringify(pending.forwardBody);
        held.set(r, { ...base, pending });
        return r;
      }
      case 'subscription.retrieve':
      case 'subscription.delete':
        held.set(r, { ...base, access: await own.access(ngsi.tenant, ngsi.resourceId, caller) });
        return r;
      case 'subscription.update': {
        const access = await own.access(ngsi.tenant, ngsi.resourceId, caller);
        const stored = await fetchStored(r, deps);
        const pending = await own.beforeUpdate(r.raw.body, contextHeadersOf(r), caller, access, stored,
          async (body, context, subscriber) => checkEnforceable(await decideAsCreate(r, deps, body, context, subscriber)));
        r.plan.body = JSON.stringify(pending.forwardBody);
        held.set(r, { ...base, access, pending });
        return r;
      }
      default:
        held.set(r, base);
        return r;
    }
  };
}

function jsonBody(body: Buffer): unknown {
  try {
    return JSON.parse(body.toString());
  } catch {
    throw new MimtrustError('BAD_GATEWAY', 'The broker answered with invalid JSON.', { reason: 'upstream_invalid_json' });
  }
}

/** Show: keep or drop the record as the broker answered; show only what the caller may see. */
export function showSubscriptions(deps: SubscriptionStageDeps): Stage<Answered, Answered> {
  return async (r) => {
    const h = held.get(r);
    if (!h) return r;
    const { reply } = r;
    const ok = reply.status >= 200 && reply.status < 300;
    switch (h.operation) {
      case 'subscription.create':
        await h.pending?.commit(reply.status, header(reply.headers.location));
        break;
      case 'subscription.update':
        await h.pending?.commit(reply.status, undefined);
        break;
      case 'subscription.delete':
        if (h.access) await deps.ownership.afterDelete(h.access, reply.status);
        break;
      case 'subscription.retrieve':
        if (ok && h.access && reply.body !== undefined) reply.body = Buffer.from(JSON.stringify(deps.ownership.presentOne(jsonBody(reply.body), h.access)));
        break;
      case 'subscription.list': {
        if (!ok || reply.body === undefined) break;
        const shown = await deps.ownership.presentList(h.tenant, jsonBody(reply.body), h.caller);
        reply.body = Buffer.from(JSON.stringify(shown.body));
        if (shown.ownCount !== undefined && typeof reply.headers['ngsild-results-count'] === 'string') {
          reply.headers['ngsild-results-count'] = String(shown.ownCount);
        }
        break;
      }
      default:
        break;
    }
    return r;
  };
}

const NO_TARGETS = { entityIds: [], types: [], attrs: [] };

/**
 * The relay: the broker posts a notification; it is decided for the subscriber as things
 * stand now, cut down, recorded (durably, before anything leaves), delivered, and the
 * broker's call is audited last. A denied notification is answered 403 to the broker and
 * never reaches the subscriber. One of a subscription resting on consents none of which
 * holds any more is not decided at all: answered 204, recorded as a refusal
 * (`notification_consent_lapsed`), never delivered.
 */
export function relayPipeline(deps: SubscriptionStageDeps) {
  const relay: Stage<Received, Answered> = async (r) => {
    r.auditAs = { operation: 'subscription.notify', action: 'subscribe', targets: NO_TARGETS };
    const record = await deps.relay.lookup(r.params.token);
    const t = extend(r, { token: subscriberToken(record.subscriber) });
    const n = await deps.relay.prepare(record, readJsonBody(t), async (body, context, subscriber) => {
      const decided = await decideAsCreate(t, deps, body, context, subscriber);
      // The decision's rules go into this exchange's audit records, permit or deny.
      extend(t, { decision: decided.decision });
      checkEnforceable(decided);
      await deps.counters.increment(decided.decision.obligations.counters, decided.decision.obligations.limits);
      const active = decided.context;
      return { obligations: decided.decision.obligations, expand: active ? (x: string) => active.expandTerm(x) : (x: string) => x };
    }, t.startedAt);
    // The broker is answered as for a delivery, so it does not send again; the drop is recorded as a refusal.
    if (n.lapsed) return extend(t, { reply: { status: 204, headers: {}, body: undefined }, outcome: 'notification_consent_lapsed', effect: 'deny' as const });
    t.auditAs = { ...t.auditAs!, targets: n.targets };
    // Whose data goes out under consent is named as for a read, on the record made before delivery too.
    const done = extend(t, {
      reply: { status: 204, headers: {}, body: undefined }, outcome: 'notification_empty',
      ...(n.filtered.released !== undefined ? { released: n.filtered.released } : {}),
    });
    if (n.filtered.entities === 0) return done;
    // No delivery without a record: the decision is durable before anything leaves (503 otherwise).
    await recordDecision(deps, done);
    await deps.relay.deliver(n);
    done.outcome = 'notification_delivered';
    return done;
  };
  return pipeline<Received>().then('relay', relay).then('audit', auditPermitted(deps));
}

/** The relay endpoint as a fastify plugin. */
export function relayPlugin(deps: SubscriptionStageDeps & ExchangeDeps) {
  return async (app: FastifyInstance): Promise<void> => {
    app.route({ method: 'POST', url: `${RELAY_PATH}/:token`, handler: exchange(relayPipeline(deps), deps) });
  };
}
