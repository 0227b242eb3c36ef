/**
 * The relay: the broker posts each notification to the URL it was given; the gateway finds
 * the subscription by the URL's token, decides again with the subscriber's current rights
 * (contracts as they are now, roles from the stored snapshot), cuts the data down to what
 * the decision permits, and hands the result to the caller to audit and deliver.
 */
import type { VerifiedToken } from '../auth/index.js';
import { contextSourceOf } from '../context/index.js';
import { MimtrustError } from '../errors/index.js';
import type { TermExpander } from '../filter/index.js';
import type { Obligations } from '../policy/index.js';
import type { NotificationDelivery } from './delivery.js';
import { filterNotification, notificationTargets, parseNotification, type FilteredNotification } from './notification.js';
import type { ContextHeaders, Subscriber } from './ownership.js';
import { relayHashOf } from './relay-token.js';
import { isObject } from './subscription-body.js';
import type { ConsentsInForce, SubscriberSnapshot, SubscriptionRecord, SubscriptionStore } from './types.js';

const CORE_CONTEXT = 'https://uri.etsi.org/ngsi-ld/v1/ngsi-ld-core-context-v1.8.jsonld';

const NO_TARGETS = { entityIds: [], types: [], attrs: [] };

/** The decision on a stored subscription for its subscriber; throws when it is denied. */
export type DecideDelivery = (
  body: Record<string, unknown>, context: ContextHeaders, subscriber: Subscriber,
) => Promise<{ obligations: Obligations | undefined; expand: TermExpander }>;

export interface RelayDeps {
  store: SubscriptionStore;
  delivery: NotificationDelivery;
  /** `limits.maxGeometryPoints`, should a notification have to be cut to an area. */
  maxGeometryPoints: number;
  /** The consents subscriptions rest on, as they stand at each delivery; undefined: none ever holds. */
  consents?: ConsentsInForce | undefined;
}

export interface RelayedNotification {
  record: SubscriptionRecord;
  filtered: FilteredNotification;
  targets: { entityIds: string[]; types: string[]; attrs: string[] };
  /** Set when the subscription rests on consents and none of them holds any more: nothing is delivered. */
  lapsed?: true;
}

/**
 * The subscriber as the decision sees it: the stored identity and claims. It stands for
 * the token the subscription was made with and is never accepted as a credential.
 */
export function subscriberToken(s: SubscriberSnapshot): VerifiedToken {
  return {
    issuer: s.issuer,
    ...(s.sub !== undefined ? { sub: s.sub } : {}),
    ...(s.clientId !== undefined ? { clientId: s.clientId } : {}),
    roles: [...s.roles],
    ...(s.tenants !== undefined ? { tenants: [...s.tenants] } : {}),
    ...(s.scope !== undefined ? { scope: [...s.scope] } : {}),
    ...(s.purpose !== undefined ? { purpose: s.purpose } : {}),
    ...(s.organisation !== undefined ? { organisation: s.organisation } : {}),
    ...(s.recipient !== undefined ? { recipient: s.recipient } : {}),
    ...(s.consents !== undefined ? { consents: [...s.consents] } : {}),
    exp: 0,
    claims: {},
  };
}

function unknownRelay(): MimtrustError {
  return new MimtrustError('NOT_FOUND', 'No such relay endpoint.', { reason: 'relay_unknown' });
}

export function contextHeadersOf(record: SubscriptionRecord): ContextHeaders {
  return { ...(record.decided.link ? { link: record.decided.link } : {}), ...(record.decided.contentType ? { contentType: record.decided.contentType } : {}) };
}

export class NotificationRelay {
  constructor(private readonly deps: RelayDeps) {}

  /** The subscription a relay token stands for, or the not-found error. */
  async lookup(token: string | undefined): Promise<SubscriptionRecord> {
    const hash = token === undefined ? undefined : relayHashOf(token);
    const record = hash === undefined ? undefined : await this.deps.store.byRelayHash(hash);
    if (!record) throw unknownRelay();
    return record;
  }

  /**
   * Decide and filter one notification for the record's subscriber, at `now`. The consents
   * the subscription rests on are read as they stand now, never refused: those withdrawn or
   * expired simply cover nothing, so each person's data goes out only as far as their
   * consent still does; with none of them left, nothing goes out at all.
   */
  async prepare(record: SubscriptionRecord, body: unknown, decide: DecideDelivery, now: number): Promise<RelayedNotification> {
    const n = parseNotification(body);
    if (record.subscriptionId !== undefined && n.subscriptionId !== record.subscriptionId) {
      throw new MimtrustError('BAD_REQUEST', 'The notification names another subscription.', { reason: 'relay_subscription_mismatch' });
    }
    const ids = record.subscriber.consents;
    const consents = ids === undefined || ids.length === 0 ? undefined : (await this.deps.consents?.inForce(ids, now)) ?? [];
    if (consents !== undefined && consents.length === 0) {
      return { record, filtered: { body: { ...n.body, data: [] }, entities: 0, droppedEntities: n.data.length, removedAttributes: 0 }, targets: NO_TARGETS, lapsed: true };
    }
    const subscriber: Subscriber = {
      token: subscriberToken(record.subscriber),
      ...(record.subscriber.certThumbprint !== undefined ? { certThumbprint: record.subscriber.certThumbprint } : {}),
      ...(consents !== undefined ? { consents } : {}),
    };
    const { obligations, expand } = await decide(record.decided.body, contextHeadersOf(record), subscriber);
    const format = isObject(record.decided.body.notification) ? record.decided.body.notification.format : undefined;
    const filtered = await filterNotification(n, obligations, expand, format, this.deps.maxGeometryPoints);
    return { record, filtered, targets: notificationTargets(filtered.body.data as unknown[]) };
  }

  /** Deliver to the subscriber's endpoint, in the media type it asked for. */
  async deliver(n: RelayedNotification): Promise<number> {
    const { record } = n;
    const source = contextSourceOf(
      { ...(record.decided.link ? { link: record.decided.link } : {}), ...(record.decided.contentType ? { 'content-type': record.decided.contentType } : {}) },
      record.decided.body,
    );
    const link = source.kind === 'link' ? `<${source.url}>; rel="http://www.w3.org/ns/json-ld#context"; type="application/ld+json"` : undefined;
    let body = n.filtered.body;
    if (record.endpoint.accept === 'application/ld+json') {
      body = { ...body, '@context': source.kind === 'body' ? source.context : source.kind === 'link' ? source.url : CORE_CONTEXT };
    }
    const res = await this.deps.delivery.deliver(record.endpoint, body, link);
    return res.status;
  }
}
