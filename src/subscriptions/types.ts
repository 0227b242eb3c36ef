/**
 * What the gateway keeps about each subscription made through it: who made it, where the
 * subscriber wants its notifications, and the subscription as it was decided, so each
 * notification can be decided again with the subscriber's current rights.
 */
import type { ConsentGrant } from '../policy/index.js';

/** Who created a subscription: the token's issuer and subject or client. */
export interface SubscriptionOwner {
  issuer: string;
  sub?: string;
  clientId?: string;
}

/**
 * The subscriber's identity and the claims that decisions read, as its token said when
 * the subscription was made or last changed by it. Not a live token: it has no expiry.
 */
export interface SubscriberSnapshot extends SubscriptionOwner {
  roles: string[];
  tenants?: string[];
  scope?: string[];
  purpose?: string;
  organisation?: string;
  /** The recipient declared when the subscription was made (token claim or request header). */
  recipient?: string;
  /** Thumbprint of the client certificate the subscription was made over (mTLS). */
  certThumbprint?: string;
  /**
   * The consent records the token rested on (their ids; absent in snapshots stored before
   * subscriptions could rest on consent, and for tokens resting on none). Each delivery
   * reads them again as they stand then: the purpose and recipient above, with these,
   * re-derive what the subscriber may receive of each person's data.
   */
  consents?: string[];
}

/** The consents a subscription rests on that still hold: given, neither withdrawn nor expired (src/consent). */
export interface ConsentsInForce {
  inForce(ids: readonly string[], now: number): Promise<ConsentGrant[]>;
}

/** The subscriber's own `notification.endpoint`, as it wrote it (uri, accept, receiverInfo, notifierInfo). */
export type SubscriberEndpoint = { uri: string } & Record<string, unknown>;

/** The subscription as decided: its body without the endpoint, and the @context it was written in. */
export interface DecidedSubscription {
  body: Record<string, unknown>;
  /** The request's `Link` header, when the context came through one. */
  link?: string;
  contentType?: string;
}

export interface SubscriptionRecord {
  /** SHA-256 of the relay token, base64url: the relay URL's secret is never stored. */
  relayHash: string;
  /** NGSI-LD tenant ('' for the default tenant). */
  tenant: string;
  /** The id the broker gave the subscription; undefined until the broker has answered. */
  subscriptionId?: string;
  subscriber: SubscriberSnapshot;
  endpoint: SubscriberEndpoint;
  decided: DecidedSubscription;
  createdAt: string;
  updatedAt: string;
}

export interface SubscriptionStore {
  byId(tenant: string, subscriptionId: string): Promise<SubscriptionRecord | undefined>;
  byRelayHash(relayHash: string): Promise<SubscriptionRecord | undefined>;
  /** The subscriptions of one owner in one tenant (issuer, sub and client all equal). */
  ownedBy(tenant: string, owner: SubscriptionOwner): Promise<SubscriptionRecord[]>;
  /** Insert or replace by relay hash; a record for the same (tenant, subscription id) is replaced. */
  put(record: SubscriptionRecord): Promise<void>;
  /** Replace the record under `oldRelayHash` by `record` (a new relay token), atomically. */
  replace(oldRelayHash: string, record: SubscriptionRecord): Promise<void>;
  delete(relayHash: string): Promise<void>;
}
