/**
 * Subscriptions made through the gateway are owned and relayed: the gateway records who
 * made each one and where its notifications should go, gives the broker a relay URL of its
 * own, and decides, filters, audits and delivers every notification with the subscriber's
 * rights at that moment. Endpoints are checked against an allow-list and internal addresses.
 * A subscription made on a token resting on citizens' consents keeps their ids in its
 * subscriber snapshot; each delivery reads them as they stand then (`ConsentsInForce`),
 * cuts every entity to what its data subject still consents to, and delivers nothing once
 * none of them holds (docs/consent.md). The records the relay looks up are kept in memory
 * (cached-store.ts), forgotten on every change, here or, through the change feed, elsewhere.
 */
export type { SubscriptionStore, SubscriptionRecord, SubscriptionOwner, SubscriberSnapshot, SubscriberEndpoint, DecidedSubscription, ConsentsInForce } from './types.js';
export type { EndpointPolicy } from './endpoint-policy.js';
export { addressRefusal, checkEndpointUrl } from './endpoint-policy.js';
export { checkEndpoint, guardedLookup, systemResolve } from './endpoint-resolve.js';
export type { Resolve } from './endpoint-resolve.js';
export { NotificationDelivery } from './delivery.js';
export type { DeliveryOptions } from './delivery.js';
export { SubscriptionOwnership, subscriptionNotFound, idFromLocation, isOwner, ownerOf, snapshotOf, tenantKey } from './ownership.js';
export type { Caller, ContextHeaders, DecideAsCreate, PendingChange, Access, OwnershipDeps, Subscriber } from './ownership.js';
export { NotificationRelay, subscriberToken } from './relay.js';
export { CachedSubscriptionStore } from './cached-store.js';
export type { DecideDelivery, RelayedNotification, RelayDeps } from './relay.js';
export { mergePatch, presentSubscription, redactedEndpoint, withRelayEndpoint, withoutEndpoint, endpointOf } from './subscription-body.js';
export { filterNotification, parseNotification } from './notification.js';
export { newRelayToken, relayHashOf, relayUrl } from './relay-token.js';
