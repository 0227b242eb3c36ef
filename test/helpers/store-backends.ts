/**
 * Every store implementation behind the same interfaces, for tests that run once per
 * backend: SQLite always, PostgreSQL when MIMTRUST_TEST_POSTGRES_URL is set (each open in
 * a schema of its own, dropped on close).
 */
import { join } from 'node:path';
import Database from 'better-sqlite3';
import type { AuditRecord, AuditStore } from '../../src/audit/index.js';
import type { ConsentStore } from '../../src/consent/index.js';
import type { ContractCopies, ContractStore } from '../../src/contracts/index.js';
import type { SubscriptionStore } from '../../src/subscriptions/index.js';
import type { StatusListStore } from '../../src/credentials/index.js';
import type { AccountStore } from '../../src/accounts/index.js';
import type { OidcModelStore } from '../../src/issuer/index.js';
import {
  openPostgres, openSqlite, SqliteAuditQuery, PgAccountStore, PgOidcStore, SqliteAccountStore, SqliteOidcStore, PgAuditStore, PgConsentStore, PgContractCopies, PgContractStore, PgStatusListStore, PgSubscriptionStore,
  SqliteAuditStore, SqliteConsentStore, SqliteContractCopies, SqliteContractStore, SqliteStatusListStore, SqliteSubscriptionStore,
} from '../../src/store/index.js';
import { freshSchema, havePostgres } from './postgres.js';
import { makeTempDir } from './temp-dir.js';

export interface OpenedStores {
  contracts: ContractStore;
  copies: ContractCopies;
  consents: ConsentStore;
  subscriptions: SubscriptionStore;
  accounts: AccountStore;
  /** oidc-provider's state, reading the time from `now`. */
  oidc(now?: () => number): OidcModelStore;
  /** Status lists of `length` bits each. */
  statusLists(length: number): StatusListStore;
  /** The audit store; with `instance`, its segment (a PostgreSQL instance, a worker on SQLite). */
  audit(instance?: string): AuditStore;
  /** The newest `limit` records releasing `subject`'s data, of every segment, oldest first (the wallet's access history). */
  accessHistory(subject: string, limit: number): Promise<AuditRecord[]>;
  /** SQL with the store's own connection and rights (append-only triggers in force). */
  exec(sql: string): Promise<void>;
  /** SQL as an attacker with the file or the database's superuser: triggers off. */
  tamper(sql: string): Promise<void>;
  close(): Promise<void>;
}

export interface Backend {
  name: string;
  open(): Promise<OpenedStores>;
}

const sqlite: Backend = {
  name: 'SQLite',
  async open() {
    const path = join(makeTempDir('store'), 'm.db');
    const db = openSqlite(path);
    return {
      contracts: new SqliteContractStore(db),
      copies: new SqliteContractCopies(db),
      consents: new SqliteConsentStore(db),
      subscriptions: new SqliteSubscriptionStore(db),
      accounts: new SqliteAccountStore(db),
      oidc: (now) => new SqliteOidcStore(db, now),
      statusLists: (length) => new SqliteStatusListStore(db, length),
      audit: (segment) => new SqliteAuditStore(db, segment === undefined ? {} : { segment }),
      accessHistory: async (subject, limit) => new SqliteAuditQuery(db, { subject }).newest(limit),
      exec: async (sql) => { db.exec(sql); },
      tamper: async (sql) => {
        const attacker = new Database(path);
        try {
          for (const t of attacker.prepare("SELECT name FROM sqlite_master WHERE type = 'trigger'").all() as Array<{ name: string }>) {
            attacker.exec(`DROP TRIGGER "${t.name}"`);
          }
          attacker.exec(sql);
        } finally {
          attacker.close();
        }
      },
      close: async () => { db.close(); },
    };
  },
};

const postgres: Backend = {
  name: 'PostgreSQL',
  async open() {
    const schema = await freshSchema();
    const pool = await openPostgres(schema.url);
    return {
      contracts: new PgContractStore(pool),
      copies: new PgContractCopies(pool),
      consents: new PgConsentStore(pool),
      subscriptions: new PgSubscriptionStore(pool),
      accounts: new PgAccountStore(pool),
      oidc: (now) => new PgOidcStore(pool, now),
      statusLists: (length) => new PgStatusListStore(pool, length),
      audit: (instance = 'a') => new PgAuditStore(pool, instance),
      accessHistory: (subject, limit) => PgAuditStore.released(pool, subject, limit),
      exec: async (sql) => { await pool.query(sql); },
      tamper: (sql) => schema.tamper(sql),
      close: async () => {
        await pool.end();
        await schema.drop();
      },
    };
  },
};

export const BACKENDS: readonly Backend[] = havePostgres() ? [sqlite, postgres] : [sqlite];
