/** Usage contracts kept by the store: the ones created through the admin API. */
export interface StoredContract {
  uid: string;
  /** The JSON-LD document as submitted (already validated). */
  document: unknown;
  updatedAt: string;
}

export interface ContractStore {
  list(): Promise<StoredContract[]>;
  get(uid: string): Promise<StoredContract | undefined>;
  /** Insert or replace. */
  put(uid: string, document: unknown, updatedAt: string): Promise<void>;
  /** True when something was deleted. */
  delete(uid: string): Promise<boolean>;
}
