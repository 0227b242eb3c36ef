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

/**
 * What the contract registry keeps so that a restart can rebuild what was in force, even
 * when a context host is down or a contract file was broken while the gateway was stopped.
 */
export interface ContractCopies {
  /** The remote documents (URL -> its `@context`) a contract context was last built from; `key` identifies the context value. */
  contextDocuments(key: string): Promise<ReadonlyMap<string, unknown> | undefined>;
  putContextDocuments(key: string, documents: ReadonlyMap<string, unknown>, fetchedAt: string): Promise<void>;
  /** The last version of a contract file that compiled and was in force; undefined when none. */
  fileCopy(source: string): Promise<unknown>;
  /**
   * Keeps these versions of contract files, all in one transaction: a folder of thousands
   * of files is written at start with one commit, not one commit (and flush) per file.
   */
  putFileCopies(copies: ReadonlyArray<{ source: string; document: unknown }>, updatedAt: string): Promise<void>;
  /** Forgets the copies of files that are no longer in the folder. */
  keepFileCopies(sources: readonly string[]): Promise<void>;
}
