import type { Statement } from 'better-sqlite3';
import type { SqliteDatabase } from './sqlite.js';
import type { ContractCopies } from '../contracts/index.js';

/** The contract registry's copies of contexts and of good contract files (migration 5). */
export class SqliteContractCopies implements ContractCopies {
  private readonly getContext: Statement<[string], { documents: string }>;
  private readonly putContext: Statement<[string, string, string]>;
  private readonly getFile: Statement<[string], { document: string }>;
  private readonly putFile: Statement<[string, string, string]>;
  private readonly fileSources: Statement<[], { source: string }>;
  private readonly deleteFile: Statement<[string]>;
  private readonly transaction: (fn: () => void) => void;

  constructor(db: SqliteDatabase) {
    this.getContext = db.prepare('SELECT documents FROM contract_context_copies WHERE key = ?');
    // Unchanged documents are not written again: a reload rewrites nothing.
    this.putContext = db.prepare(`INSERT INTO contract_context_copies (key, documents, fetched_at) VALUES (?, ?, ?)
      ON CONFLICT(key) DO UPDATE SET documents = excluded.documents, fetched_at = excluded.fetched_at WHERE documents <> excluded.documents`);
    this.getFile = db.prepare('SELECT document FROM contract_file_copies WHERE source = ?');
    this.putFile = db.prepare(`INSERT INTO contract_file_copies (source, document, updated_at) VALUES (?, ?, ?)
      ON CONFLICT(source) DO UPDATE SET document = excluded.document, updated_at = excluded.updated_at WHERE document <> excluded.document`);
    this.fileSources = db.prepare('SELECT source FROM contract_file_copies');
    this.deleteFile = db.prepare('DELETE FROM contract_file_copies WHERE source = ?');
    this.transaction = (fn) => db.transaction(fn).immediate();
  }

  async contextDocuments(key: string): Promise<ReadonlyMap<string, unknown> | undefined> {
    const row = this.getContext.get(key);
    return row ? new Map(Object.entries(JSON.parse(row.documents) as Record<string, unknown>)) : undefined;
  }

  async putContextDocuments(key: string, documents: ReadonlyMap<string, unknown>, fetchedAt: string): Promise<void> {
    this.putContext.run(key, JSON.stringify(Object.fromEntries(documents)), fetchedAt);
  }

  async fileCopy(source: string): Promise<unknown> {
    const row = this.getFile.get(source);
    return row ? JSON.parse(row.document) as unknown : undefined;
  }

  async putFileCopies(copies: ReadonlyArray<{ source: string; document: unknown }>, updatedAt: string): Promise<void> {
    if (copies.length === 0) return;
    this.transaction(() => {
      for (const { source, document } of copies) this.putFile.run(source, JSON.stringify(document), updatedAt);
    });
  }

  async keepFileCopies(sources: readonly string[]): Promise<void> {
    const keep = new Set(sources);
    this.transaction(() => {
      for (const { source } of this.fileSources.all()) if (!keep.has(source)) this.deleteFile.run(source);
    });
  }
}
