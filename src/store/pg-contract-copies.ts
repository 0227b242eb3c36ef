/** The contract registry's copies of contexts and of good contract files, on PostgreSQL. */
import type { PgPool } from './pg.js';
import type { ContractCopies } from '../contracts/index.js';

export class PgContractCopies implements ContractCopies {
  constructor(private readonly pool: PgPool) {}

  async contextDocuments(key: string): Promise<ReadonlyMap<string, unknown> | undefined> {
    const r = await this.pool.query<{ documents: string }>('SELECT documents FROM contract_context_copies WHERE key = $1', [key]);
    const row = r.rows[0];
    return row ? new Map(Object.entries(JSON.parse(row.documents) as Record<string, unknown>)) : undefined;
  }

  async putContextDocuments(key: string, documents: ReadonlyMap<string, unknown>, fetchedAt: string): Promise<void> {
    // Unchanged documents are not written again: a reload rewrites nothing.
    await this.pool.query(
      `INSERT INTO contract_context_copies (key, documents, fetched_at) VALUES ($1, $2, $3)
       ON CONFLICT (key) DO UPDATE SET documents = excluded.documents, fetched_at = excluded.fetched_at
       WHERE contract_context_copies.documents <> excluded.documents`,
      [key, JSON.stringify(Object.fromEntries(documents)), fetchedAt],
    );
  }

  async fileCopy(source: string): Promise<unknown> {
    const r = await this.pool.query<{ document: string }>('SELECT document FROM contract_file_copies WHERE source = $1', [source]);
    const row = r.rows[0];
    return row ? JSON.parse(row.document) as unknown : undefined;
  }

  async putFileCopies(copies: ReadonlyArray<{ source: string; document: unknown }>, updatedAt: string): Promise<void> {
    if (copies.length === 0) return;
    // One statement for the whole set: a folder of thousands of files is one round trip.
    await this.pool.query(
      `INSERT INTO contract_file_copies (source, document, updated_at)
       SELECT source, document, $3 FROM unnest($1::text[], $2::text[]) AS c (source, document)
       ON CONFLICT (source) DO UPDATE SET document = excluded.document, updated_at = excluded.updated_at
       WHERE contract_file_copies.document <> excluded.document`,
      [copies.map((c) => c.source), copies.map((c) => JSON.stringify(c.document)), updatedAt],
    );
  }

  async keepFileCopies(sources: readonly string[]): Promise<void> {
    await this.pool.query('DELETE FROM contract_file_copies WHERE NOT (source = ANY($1::text[]))', [[...sources]]);
  }
}
