/**
 * How records are laid out in rows, the same on SQLite and PostgreSQL: the column lists
 * and the mappings both backends read rows with, so the two cannot drift apart.
 */
import type { StoredContract } from '../contracts/index.js';
import type { SubscriptionOwner, SubscriptionRecord } from '../subscriptions/index.js';
import type { Account } from '../accounts/index.js';

export interface SubscriptionRow {
  relay_hash: string;
  tenant: string;
  subscription_id: string | null;
  subscriber: string;
  endpoint: string;
  decided: string;
  created_at: string;
  updated_at: string;
}

export const SUBSCRIPTION_COLUMNS = 'relay_hash, tenant, subscription_id, subscriber, endpoint, decided, created_at, updated_at';

export function toSubscription(r: SubscriptionRow): SubscriptionRecord {
  const record: SubscriptionRecord = {
    relayHash: r.relay_hash,
    tenant: r.tenant,
    subscriber: JSON.parse(r.subscriber) as SubscriptionRecord['subscriber'],
    endpoint: JSON.parse(r.endpoint) as SubscriptionRecord['endpoint'],
    decided: JSON.parse(r.decided) as SubscriptionRecord['decided'],
    createdAt: r.created_at,
    updatedAt: r.updated_at,
  };
  if (r.subscription_id !== null) record.subscriptionId = r.subscription_id;
  return record;
}

/** Absent sub or client are stored as '' so that owner lookups compare plain values. */
export const ownerKey = (o: SubscriptionOwner): [string, string, string] => [o.issuer, o.sub ?? '', o.clientId ?? ''];

export interface ContractRow { provider: string; uid: string; document: string; updated_at: string }

/** The operator's namespace is stored as the empty provider, so the primary key needs no NULL. */
export const OPERATOR_NAMESPACE = '';
export const providerColumn = (provider: string | null): string => provider ?? OPERATOR_NAMESPACE;

export const toContract = (r: ContractRow): StoredContract => ({
  provider: r.provider === OPERATOR_NAMESPACE ? null : r.provider,
  uid: r.uid,
  document: JSON.parse(r.document) as unknown,
  updatedAt: r.updated_at,
});

export interface AccountRow {
  id: string;
  username: string;
  password_hash: string;
  created_at: string;
  disabled_at: string | null;
}

export function toAccount(r: AccountRow): Account {
  const a: Account = { id: r.id, username: r.username, passwordHash: r.password_hash, createdAt: r.created_at };
  if (r.disabled_at !== null) a.disabledAt = r.disabled_at;
  return a;
}
