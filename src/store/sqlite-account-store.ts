/** Citizens' accounts on SQLite (src/accounts declares what is kept); rows read as on PostgreSQL (rows.ts). */
import type { Statement } from 'better-sqlite3';
import { toAccount, type AccountRow as Row } from './rows.js';
import type { SqliteDatabase } from './sqlite.js';
import type { Account, AccountStore } from '../accounts/index.js';

export class SqliteAccountStore implements AccountStore {
  private readonly insert: Statement<[string, string, string, string]>;
  private readonly byName: Statement<[string], Row>;
  private readonly byKey: Statement<[string], Row>;
  private readonly all: Statement<[], Row>;
  private readonly off: Statement<[string, string]>;
  private readonly byLink: Statement<[string, string], Row>;
  private readonly link: Statement<[string, string, string, string]>;
  private readonly addWithLink: (a: Account, issuer: string, subject: string) => void;

  constructor(db: SqliteDatabase) {
    this.insert = db.prepare('INSERT INTO accounts (id, username, password_hash, created_at) VALUES (?, ?, ?, ?)');
    this.byName = db.prepare('SELECT * FROM accounts WHERE username = ?');
    this.byKey = db.prepare('SELECT * FROM accounts WHERE id = ?');
    this.all = db.prepare('SELECT * FROM accounts ORDER BY created_at, username');
    // Disabling twice keeps the first time.
    this.off = db.prepare('UPDATE accounts SET disabled_at = COALESCE(disabled_at, ?) WHERE username = ?');
    this.byLink = db.prepare('SELECT a.* FROM account_identities i JOIN accounts a ON a.id = i.account_id WHERE i.issuer = ? AND i.subject = ?');
    this.link = db.prepare('INSERT INTO account_identities (issuer, subject, account_id, linked_at) VALUES (?, ?, ?, ?)');
    this.addWithLink = db.transaction((a: Account, issuer: string, subject: string) => {
      this.insert.run(a.id, a.username, a.passwordHash, a.createdAt);
      this.link.run(issuer, subject, a.id, a.createdAt);
    });
  }

  async add(a: Account): Promise<void> {
    this.insert.run(a.id, a.username, a.passwordHash, a.createdAt);
  }

  async byUsername(username: string): Promise<Account | undefined> {
    const r = this.byName.get(username);
    return r === undefined ? undefined : toAccount(r);
  }

  async byId(id: string): Promise<Account | undefined> {
    const r = this.byKey.get(id);
    return r === undefined ? undefined : toAccount(r);
  }

  async list(): Promise<Account[]> {
    return this.all.all().map(toAccount);
  }

  async disable(username: string, at: string): Promise<boolean> {
    return this.off.run(at, username).changes > 0;
  }

  async byIdentity(issuer: string, subject: string): Promise<Account | undefined> {
    const r = this.byLink.get(issuer, subject);
    return r === undefined ? undefined : toAccount(r);
  }

  async addLinked(a: Account, identity: { issuer: string; subject: string }): Promise<void> {
    this.addWithLink(a, identity.issuer, identity.subject);
  }
}
