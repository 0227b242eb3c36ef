/**
 * Status lists on PostgreSQL, as on SQLite (sqlite-status-list-store.ts): each list's bits
 * with a revision, each credential's entry. Allocations and bit changes of every instance
 * are serialised by one transaction-scoped advisory lock, so no index is handed out twice
 * and no bit is lost to a concurrent change; they happen once per consent, not per request.
 */
import { inTransaction, type PgClient, type PgPool } from './pg.js';
import { STATUS_LIST_LENGTH, setBitAt, type StatusEntry, type StatusEntryState, type StatusListBits, type StatusListStore } from '../credentials/status-store.js';

interface EntryRow { list_id: number; idx: number; set_at: string | null }
interface BitsRow { bits: Buffer; revision: string; updated_at: string }

const LOCK = "SELECT pg_advisory_xact_lock(hashtext('mimtrust_status_lists'))";

export class PgStatusListStore implements StatusListStore {
  constructor(private readonly pool: PgPool, private readonly length = STATUS_LIST_LENGTH) {}

  async allocate(credentialId: string, at: string, random: () => number): Promise<StatusEntry> {
    return inTransaction(this.pool, async (client) => {
      await client.query(LOCK);
      return this.#allocate(client, credentialId, at, random);
    });
  }

  async setBit(credentialId: string, at: string, random: () => number): Promise<StatusEntry> {
    return inTransaction(this.pool, async (client) => {
      await client.query(LOCK);
      const entry = await this.#allocate(client, credentialId, at, random);
      const row = (await client.query<EntryRow>('SELECT list_id, idx, set_at FROM status_entries WHERE credential_id = $1', [credentialId])).rows[0];
      if (row?.set_at !== null) return entry;
      const list = (await client.query<BitsRow>('SELECT bits FROM status_lists WHERE id = $1', [Number(entry.list)])).rows[0] as BitsRow;
      const bits = Buffer.from(list.bits);
      setBitAt(bits, entry.index);
      await client.query('UPDATE status_lists SET bits = $1, revision = revision + 1, updated_at = $2 WHERE id = $3', [bits, at, Number(entry.list)]);
      await client.query('UPDATE status_entries SET set_at = $1 WHERE credential_id = $2 AND set_at IS NULL', [at, credentialId]);
      return entry;
    });
  }

  async entry(credentialId: string): Promise<StatusEntryState | undefined> {
    const row = (await this.pool.query<EntryRow>('SELECT list_id, idx, set_at FROM status_entries WHERE credential_id = $1', [credentialId])).rows[0];
    return row === undefined ? undefined : { list: String(row.list_id), index: row.idx, revoked: row.set_at !== null };
  }

  async bits(list: string): Promise<StatusListBits | undefined> {
    if (!/^[1-9][0-9]{0,8}$/.test(list)) return undefined;
    const row = (await this.pool.query<BitsRow>('SELECT bits, revision, updated_at FROM status_lists WHERE id = $1', [Number(list)])).rows[0];
    return row === undefined ? undefined : { bits: new Uint8Array(row.bits), revision: Number(row.revision), updatedAt: row.updated_at };
  }

  async #allocate(client: PgClient, credentialId: string, at: string, random: () => number): Promise<StatusEntry> {
    const existing = (await client.query<EntryRow>('SELECT list_id, idx, set_at FROM status_entries WHERE credential_id = $1', [credentialId])).rows[0];
    if (existing !== undefined) return { list: String(existing.list_id), index: existing.idx };
    let list = (await client.query<{ id: number; length: number; used: number }>('SELECT id, length, used FROM status_lists ORDER BY id DESC LIMIT 1')).rows[0];
    // A new list when the current one is half full, so free indexes stay easy to draw at random.
    if (list === undefined || list.used >= list.length / 2) {
      const made = await client.query<{ id: number }>(
        'INSERT INTO status_lists (length, used, bits, revision, updated_at) VALUES ($1, 0, $2, 0, $3) RETURNING id',
        [this.length, Buffer.alloc(this.length / 8), at],
      );
      list = { id: (made.rows[0] as { id: number }).id, length: this.length, used: 0 };
    }
    let index: number;
    do index = Math.floor(random() * list.length);
    while (((await client.query('SELECT 1 FROM status_entries WHERE list_id = $1 AND idx = $2', [list.id, index])).rowCount ?? 0) > 0);
    await client.query('INSERT INTO status_entries (credential_id, list_id, idx) VALUES ($1, $2, $3)', [credentialId, list.id, index]);
    await client.query('UPDATE status_lists SET used = used + 1 WHERE id = $1', [list.id]);
    return { list: String(list.id), index };
  }
}
