/**
 * Status lists on SQLite: each list's bits as one BLOB with a revision counting its
 * changes, and each credential's entry. Allocation and bit changes are transactions, so
 * two callers never get the same index and a bit is never lost to a concurrent change.
 * A new list is opened when the current one is half full, so free indexes stay easy to
 * draw at random.
 */
import type { Statement, Transaction } from 'better-sqlite3';
import type { SqliteDatabase } from './sqlite.js';
import { STATUS_LIST_LENGTH, setBitAt, type StatusEntry, type StatusEntryState, type StatusListBits, type StatusListStore } from '../credentials/status-store.js';

interface ListRow { id: number; length: number; used: number }
interface EntryRow { list_id: number; idx: number; set_at: string | null }
interface BitsRow { bits: Buffer; revision: number; updated_at: string }

export class SqliteStatusListStore implements StatusListStore {
  private readonly findEntry: Statement<[string], EntryRow>;
  private readonly current: Statement<[], ListRow>;
  private readonly newList: Statement<[number, Buffer, string], { id: number }>;
  private readonly taken: Statement<[number, number], { idx: number }>;
  private readonly insertEntry: Statement<[string, number, number]>;
  private readonly countUse: Statement<[number]>;
  private readonly readBits: Statement<[number], BitsRow>;
  private readonly writeBits: Statement<[Buffer, string, number]>;
  private readonly markSet: Statement<[string, string]>;
  private readonly allocateTx: Transaction<(credentialId: string, at: string, random: () => number) => StatusEntry>;
  private readonly setTx: Transaction<(credentialId: string, at: string, random: () => number) => StatusEntry>;

  constructor(db: SqliteDatabase, private readonly length = STATUS_LIST_LENGTH) {
    this.findEntry = db.prepare('SELECT list_id, idx, set_at FROM status_entries WHERE credential_id = ?');
    this.current = db.prepare('SELECT id, length, used FROM status_lists ORDER BY id DESC LIMIT 1');
    this.newList = db.prepare('INSERT INTO status_lists (length, used, bits, revision, updated_at) VALUES (?, 0, ?, 0, ?) RETURNING id');
    this.taken = db.prepare('SELECT idx FROM status_entries WHERE list_id = ? AND idx = ?');
    this.insertEntry = db.prepare('INSERT INTO status_entries (credential_id, list_id, idx) VALUES (?, ?, ?)');
    this.countUse = db.prepare('UPDATE status_lists SET used = used + 1 WHERE id = ?');
    this.readBits = db.prepare('SELECT bits, revision, updated_at FROM status_lists WHERE id = ?');
    this.writeBits = db.prepare('UPDATE status_lists SET bits = ?, revision = revision + 1, updated_at = ? WHERE id = ?');
    this.markSet = db.prepare('UPDATE status_entries SET set_at = ? WHERE credential_id = ? AND set_at IS NULL');
    this.allocateTx = db.transaction((credentialId: string, at: string, random: () => number): StatusEntry => {
      const existing = this.findEntry.get(credentialId);
      if (existing !== undefined) return { list: String(existing.list_id), index: existing.idx };
      let list = this.current.get();
      if (list === undefined || list.used >= list.length / 2) {
        const made = this.newList.get(this.length, Buffer.alloc(this.length / 8), at) as { id: number };
        list = { id: made.id, length: this.length, used: 0 };
      }
      let index: number;
      do index = Math.floor(random() * list.length);
      while (this.taken.get(list.id, index) !== undefined);
      this.insertEntry.run(credentialId, list.id, index);
      this.countUse.run(list.id);
      return { list: String(list.id), index };
    });
    this.setTx = db.transaction((credentialId: string, at: string, random: () => number): StatusEntry => {
      const entry = this.allocateTx(credentialId, at, random);
      if (this.findEntry.get(credentialId)?.set_at !== null) return entry;
      const row = this.readBits.get(Number(entry.list)) as BitsRow;
      const bits = Buffer.from(row.bits);
      setBitAt(bits, entry.index);
      this.writeBits.run(bits, at, Number(entry.list));
      this.markSet.run(at, credentialId);
      return entry;
    });
  }

  // IMMEDIATE: the workers of a gateway share the file; an allocation or a bit set reads
  // under the write lock, so two processes never hand out one index nor lose a bit.
  async allocate(credentialId: string, at: string, random: () => number): Promise<StatusEntry> {
    return this.allocateTx.immediate(credentialId, at, random);
  }

  async setBit(credentialId: string, at: string, random: () => number): Promise<StatusEntry> {
    return this.setTx.immediate(credentialId, at, random);
  }

  async entry(credentialId: string): Promise<StatusEntryState | undefined> {
    const row = this.findEntry.get(credentialId);
    return row === undefined ? undefined : { list: String(row.list_id), index: row.idx, revoked: row.set_at !== null };
  }

  async bits(list: string): Promise<StatusListBits | undefined> {
    const row = /^[1-9][0-9]{0,8}$/.test(list) ? this.readBits.get(Number(list)) : undefined;
    return row === undefined ? undefined : { bits: new Uint8Array(row.bits), revision: row.revision, updatedAt: row.updated_at };
  }
}
