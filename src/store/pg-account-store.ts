/**
 * Citizens' accounts on PostgreSQL (migrations 10 and 11), shared by every gateway instance
 * on the database: an account added with `mimtrust accounts` on any of them, or disabled,
 * holds on all of them at their next read, since nothing here is kept in memory.
 */
import type { Account, AccountStore } from '../accounts/index.js';
import { inTransaction, type PgPool } from './pg.js';
import { toAccount, type AccountRow } from './rows.js';

const INSERT = 'INSERT INTO accounts (id, username, password_hash, created_at) VALUES ($1, $2, $3, $4)';

export class PgAccountStore implements AccountStore {
  constructor(private readonly pool: PgPool) {}

  async add(a: Account): Promise<void> {
    await this.pool.query(INSERT, [a.id, a.username, a.passwordHash, a.createdAt]);
  }

  byUsername(username: string): Promise<Account | undefined> {
    return this.one('SELECT * FROM accounts WHERE username = $1', [username]);
  }

  byId(id: string): Promise<Account | undefined> {
    return this.one('SELECT * FROM accounts WHERE id = $1', [id]);
  }

  async list(): Promise<Account[]> {
    return (await this.pool.query<AccountRow>('SELECT * FROM accounts ORDER BY created_at, username')).rows.map(toAccount);
  }

  async disable(username: string, at: string): Promise<boolean> {
    // Disabling twice keeps the first time.
    const r = await this.pool.query('UPDATE accounts SET disabled_at = COALESCE(disabled_at, $1) WHERE username = $2', [at, username]);
    return (r.rowCount ?? 0) > 0;
  }

  byIdentity(issuer: string, subject: string): Promise<Account | undefined> {
    return this.one('SELECT a.* FROM account_identities i JOIN accounts a ON a.id = i.account_id WHERE i.issuer = $1 AND i.subject = $2', [issuer, subject]);
  }

  async addLinked(a: Account, identity: { issuer: string; subject: string }): Promise<void> {
    await inTransaction(this.pool, async (client) => {
      await client.query(INSERT, [a.id, a.username, a.passwordHash, a.createdAt]);
      await client.query('INSERT INTO account_identities (issuer, subject, account_id, linked_at) VALUES ($1, $2, $3, $4)', [identity.issuer, identity.subject, a.id, a.createdAt]);
    });
  }

  private async one(sql: string, params: unknown[]): Promise<Account | undefined> {
    const row = (await this.pool.query<AccountRow>(sql, params)).rows[0];
    return row === undefined ? undefined : toAccount(row);
  }
}
