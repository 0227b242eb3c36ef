/**
 * Usage contracts kept by the store: the ones created through the admin API, each in its
 * provider's namespace (null: the operator's, made when no providers are configured).
 */
export interface StoredContract {
  provider: string | null;
  uid: string;
  /** The JSON-LD document as submitted (already validated). */
  document: unknown;
  updatedAt: string;
}

export interface ContractStore {
  list(): Promise<StoredContract[]>;
  get(provider: string | null, uid: string): Promise<StoredContract | undefined>;
  /** Insert or replace. */
  put(provider: string | null, uid: string, document: unknown, updatedAt: string): Promise<void>;
  /** True when something was deleted. */
  delete(provider: string | null, uid: string): Promise<boolean>;
}
