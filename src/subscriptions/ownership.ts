/**
 * Subscriptions belong to whoever made them. Before a create the subscriber's endpoint is
 * checked, kept, and replaced by a relay URL; a retrieve, update or delete of another
 * caller's subscription answers the same 404 as one that does not exist (administrators,
 * holding `manageSubscriptions`, see all); lists show only the caller's own; an update is
 * decided on the whole subscription as it will be after the change.
 */
import { isDeepStrictEqual } from 'node:util';
import type { VerifiedToken } from '../auth/index.js';
import { contextSourceOf } from '../context/index.js';
import { MimtrustError } from '../errors/index.js';
import type { ConsentGrant } from '../policy/index.js';
import type { EndpointPolicy } from './endpoint-policy.js';
import { checkEndpoint, systemResolve, type Resolve } from './endpoint-resolve.js';
import { newRelayToken, relayHashOf, relayUrl } from './relay-token.js';
import {
  endpointOf, isObject, mergePatch, presentSubscription, withoutEndpoint, withRelayEndpoint,
} from './subscription-body.js';
import type { DecidedSubscription, SubscriberSnapshot, SubscriptionOwner, SubscriptionRecord, SubscriptionStore } from './types.js';

type Obj = Record<string, unknown>;

export interface Caller extends Subscriber {
  /** Holds `manageSubscriptions` in the tenant: sees and manages every subscription. */
  admin: boolean;
}

/** The request's context headers, as the subscription's names were written in. */
export interface ContextHeaders {
  link?: string;
  contentType?: string;
}

/** Who a subscription is decided for: the token, its client certificate, and the consents it rests on, looked up. */
export interface Subscriber {
  token: VerifiedToken;
  certThumbprint?: string;
  consents?: readonly ConsentGrant[];
}

/** Decides a subscription body as a create, for the given subscriber; throws when it is denied. */
export type DecideAsCreate = (body: Obj, context: ContextHeaders, subscriber: Subscriber) => Promise<void>;

export interface OwnershipDeps {
  store: SubscriptionStore;
  policy: EndpointPolicy;
  /** Base of the relay URLs given to the broker (known once the gateway listens). */
  relayBase: () => string;
  resolve?: Resolve;
  now?: () => number;
}

/** What a create or update will commit once the broker has accepted it. */
export interface PendingChange {
  forwardBody: Obj;
  commit(status: number, location: string | undefined): Promise<void>;
}

export interface Access {
  record: SubscriptionRecord | undefined;
  owner: boolean;
}

export function tenantKey(tenant: string | undefined): string {
  return tenant ?? '';
}

export function ownerOf(token: VerifiedToken): SubscriptionOwner {
  return { issuer: token.issuer, ...(token.sub !== undefined ? { sub: token.sub } : {}), ...(token.clientId !== undefined ? { clientId: token.clientId } : {}) };
}

export function isOwner(record: SubscriptionRecord, token: VerifiedToken): boolean {
  const s = record.subscriber;
  return s.issuer === token.issuer && (s.sub ?? '') === (token.sub ?? '') && (s.clientId ?? '') === (token.clientId ?? '');
}

export function snapshotOf(caller: Subscriber): SubscriberSnapshot {
  const t = caller.token;
  return {
    ...ownerOf(t),
    roles: [...t.roles],
    ...(t.tenants !== undefined ? { tenants: [...t.tenants] } : {}),
    ...(t.scope !== undefined ? { scope: [...t.scope] } : {}),
    ...(t.purpose !== undefined ? { purpose: t.purpose } : {}),
    ...(t.organisation !== undefined ? { organisation: t.organisation } : {}),
    ...(t.recipient !== undefined ? { recipient: t.recipient } : {}),
    ...(caller.certThumbprint !== undefined ? { certThumbprint: caller.certThumbprint } : {}),
    ...(t.consents !== undefined ? { consents: [...t.consents] } : {}),
  };
}

/** The same 404 whether the subscription does not exist or belongs to someone else. */
export function subscriptionNotFound(): MimtrustError {
  return new MimtrustError('NOT_FOUND', 'No such subscription.', { reason: 'subscription_not_found' });
}

/** The subscription id from a create's Location header (the broker's own form). */
export function idFromLocation(location: string | undefined): string | undefined {
  if (location === undefined) return undefined;
  const path = location.split(/[?#]/, 1)[0] ?? '';
  const last = path.slice(path.lastIndexOf('/') + 1);
  if (last === '') return undefined;
  try {
    return decodeURIComponent(last);
  } catch {
    return undefined;
  }
}

function requireObject(body: unknown): Obj {
  if (!isObject(body)) throw new MimtrustError('BAD_REQUEST', 'The subscription must be a JSON object.', { reason: 'invalid_body' });
  return body;
}

function decidedOf(body: Obj, context: ContextHeaders): DecidedSubscription {
  return { body: withoutEndpoint(body), ...(context.link !== undefined ? { link: context.link } : {}), ...(context.contentType !== undefined ? { contentType: context.contentType } : {}) };
}

/** True when both requests put their names in the same @context. */
function sameContext(a: ContextHeaders, aBody: Obj, b: ContextHeaders, bBody: Obj): boolean {
  const sa = contextSourceOf({ ...(a.link ? { link: a.link } : {}), ...(a.contentType ? { 'content-type': a.contentType } : {}) }, aBody);
  const sb = contextSourceOf({ ...(b.link ? { link: b.link } : {}), ...(b.contentType ? { 'content-type': b.contentType } : {}) }, bBody);
  return isDeepStrictEqual(sa, sb);
}

export class SubscriptionOwnership {
  private readonly resolve: Resolve;
  private readonly now: () => number;

  constructor(private readonly deps: OwnershipDeps) {
    this.resolve = deps.resolve ?? systemResolve;
    this.now = deps.now ?? Date.now;
  }

  private stamp(): string {
    return new Date(this.now()).toISOString();
  }

  /**
   * A create: the endpoint checked and kept, a relay URL for the broker. The record is
   * stored before the broker hears of it, so a notification sent at once finds it.
   */
  async beforeCreate(tenant: string | undefined, rawBody: unknown, context: ContextHeaders, caller: Caller): Promise<PendingChange> {
    const body = requireObject(rawBody);
    const endpoint = endpointOf(body);
    await checkEndpoint(endpoint.uri, this.deps.policy, this.resolve);
    const token = newRelayToken();
    const now = this.stamp();
    const record: SubscriptionRecord = {
      relayHash: relayHashOf(token)!,
      tenant: tenantKey(tenant),
      subscriber: snapshotOf(caller),
      endpoint,
      decided: decidedOf(body, context),
      createdAt: now,
      updatedAt: now,
    };
    await this.deps.store.put(record);
    const { store } = this.deps;
    return {
      forwardBody: withRelayEndpoint(body, relayUrl(this.deps.relayBase(), token)),
      async commit(status, location) {
        const id = status >= 200 && status < 300 ? (idFromLocation(location) ?? (typeof body.id === 'string' ? body.id : undefined)) : undefined;
        if (id === undefined) {
          await store.delete(record.relayHash);
          return;
        }
        await store.put({ ...record, subscriptionId: id });
      },
    };
  }

  /** May the caller see or change this subscription? Throws the not-found error when not. */
  async access(tenant: string | undefined, subscriptionId: string | undefined, caller: Caller): Promise<Access> {
    if (subscriptionId === undefined) throw subscriptionNotFound();
    const record = await this.deps.store.byId(tenantKey(tenant), subscriptionId);
    const owner = record !== undefined && isOwner(record, caller.token);
    if (!owner && !caller.admin) throw subscriptionNotFound();
    return { record, owner };
  }

  /**
   * An update, decided on the whole subscription as the broker will hold it: the stored
   * subscription merged with the patch. A new endpoint is checked and gets a new relay URL;
   * only the owner may change where notifications go.
   */
  async beforeUpdate(
    rawPatch: unknown, context: ContextHeaders, caller: Caller, access: Access,
    stored: Obj, decide: DecideAsCreate,
  ): Promise<PendingChange> {
    const patch = requireObject(rawPatch);
    const notification = patch.notification;
    const changesEndpoint = isObject(notification) && notification.endpoint !== undefined;
    if (changesEndpoint && !access.owner) {
      throw new MimtrustError('FORBIDDEN', 'Only the subscriber may change where its notifications go.', { reason: 'subscription_endpoint_owner_only' });
    }
    const record = access.record;
    if (!record) {
      // Made outside the gateway (administrators only): not relayed, so no endpoint may be set through it.
      if (isObject(notification)) {
        throw new MimtrustError('FORBIDDEN', 'This subscription was not made through the gateway; its notification cannot be changed here.', { reason: 'subscription_not_relayed' });
      }
      await decide(mergePatch(stored, patch), context, caller);
      return { forwardBody: patch, commit: async () => undefined };
    }
    if (!sameContext(context, patch, { ...(record.decided.link ? { link: record.decided.link } : {}), ...(record.decided.contentType ? { contentType: record.decided.contentType } : {}) }, record.decided.body)) {
      throw new MimtrustError('BAD_REQUEST', 'An update must use the same @context as the subscription it changes.', { reason: 'subscription_context_changed' });
    }
    const merged = mergePatch(stored, patch);
    const endpoint = changesEndpoint ? endpointOf(merged) : record.endpoint;
    if (changesEndpoint) await checkEndpoint(endpoint.uri, this.deps.policy, this.resolve);
    const decidedContext: ContextHeaders = { ...(record.decided.link ? { link: record.decided.link } : {}), ...(record.decided.contentType ? { contentType: record.decided.contentType } : {}) };
    const decidedBody = withoutEndpoint(merged);
    await decide(decidedBody, decidedContext, caller);

    let forwardBody: Obj = patch;
    let relayHash = record.relayHash;
    if (isObject(notification)) {
      // The whole merged notification goes to the broker, with a fresh relay URL: brokers
      // that replace `notification` and brokers that merge it end with the same one.
      const token = newRelayToken();
      relayHash = relayHashOf(token)!;
      const withRelay = withRelayEndpoint(decidedBody, relayUrl(this.deps.relayBase(), token));
      forwardBody = { ...patch, notification: withRelay.notification };
    }
    const next: SubscriptionRecord = {
      ...record,
      relayHash,
      endpoint,
      decided: decidedOf(decidedBody, decidedContext),
      // An administrator's change leaves the subscriber's rights as they were.
      subscriber: access.owner ? snapshotOf(caller) : record.subscriber,
      updatedAt: this.stamp(),
    };
    const { store } = this.deps;
    return {
      forwardBody,
      async commit(status) {
        if (status >= 200 && status < 300) await store.replace(record.relayHash, next);
      },
    };
  }

  /** After a delete the broker confirmed (or no longer knows), the record goes too. */
  async afterDelete(access: Access, status: number): Promise<void> {
    if (access.record && ((status >= 200 && status < 300) || status === 404)) await this.deps.store.delete(access.record.relayHash);
  }

  /** One subscription as the caller may see it. */
  presentOne(body: unknown, access: Access): unknown {
    return presentSubscription(body, access.record?.endpoint, access.owner);
  }

  /**
   * The broker's list cut to what the caller may see, and the total count of those: the
   * caller's own subscriptions in the tenant (all of them for an administrator, as the broker counts).
   */
  async presentList(tenant: string | undefined, body: unknown, caller: Caller): Promise<{ body: unknown[]; ownCount: number | undefined }> {
    if (!Array.isArray(body)) throw new MimtrustError('BAD_GATEWAY', 'The broker answered a subscription list in an unexpected form.', { reason: 'unfilterable_response' });
    const key = tenantKey(tenant);
    const out: unknown[] = [];
    for (const item of body) {
      const id = isObject(item) && typeof item.id === 'string' ? item.id : undefined;
      const record = id === undefined ? undefined : await this.deps.store.byId(key, id);
      const owner = record !== undefined && isOwner(record, caller.token);
      if (!owner && !caller.admin) continue;
      out.push(presentSubscription(item, record?.endpoint, owner));
    }
    const ownCount = caller.admin ? undefined : (await this.deps.store.ownedBy(key, ownerOf(caller.token))).length;
    return { body: out, ownCount };
  }
}
