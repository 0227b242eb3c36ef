/**
 * Persistent storage: SQLite implementations of the narrow interfaces the other folders
 * declare for what they keep (audit/store.ts, contracts/store.ts, subscriptions/types.ts,
 * consent/store.ts, credentials/status-store.ts, credentials/trusted-list.ts,
 * accounts/store.ts, issuer/model-store.ts), so storage depends on them and never the other way round. SQLite is the
 * embedded default; the audit log's writes run in a worker thread of their own
 * (SqliteAuditWriterThread, sqlite-audit-writer.ts) that makes each commit durable with
 * fdatasync of the WAL, so neither the inserts nor the disk take the event loop's time, and the
 * store lock keeps a second gateway off a data file one is already writing. SqliteAuditQuery
 * reads the audit log by caller, decision, effect and time for the command line.
 *
 * PostgreSQL (`store.url`) serves several gateway instances on one database: `pg.ts` opens
 * the pool and migrates (one list of migrations for both dialects, migrations.ts), the
 * pg-*-store files implement the same interfaces, the audit log as one chain segment per
 * instance (PgAuditStore), and PgChangeFeed tells the other instances what changed
 * (LISTEN/NOTIFY, published inside the transaction that makes the change). The OIDC
 * issuer's accounts and oidc-provider state are there too (PgAccountStore, PgOidcStore),
 * and its failed logins (PgLoginFailures), so several instances run the issuer together.
 * rows.ts holds the row layouts both backends share.
 *
 * State every process must agree on: StoredExpiringKeys (sessions, sign-ins under way,
 * single-use proofs and challenges, by kind and bounded per kind) over either dialect's
 * table, and PgUsageCounters, the `count` limits counted in the database; RowBudget bounds
 * a table several processes add to without counting it on every insert.
 */
export { openSqlite, applyMigrations } from './sqlite.js';
export type { SqliteDatabase, OpenSqliteOptions } from './sqlite.js';
export { MIGRATIONS, SQLITE_MIGRATIONS, POSTGRES_MIGRATIONS } from './migrations.js';
export type { Migration } from './migrations.js';
export { SqliteAuditStore } from './sqlite-audit-store.js';
export { SqliteAuditWriterThread, AuditWriterError } from './sqlite-audit-writer-thread.js';
export type { SqliteAuditWriterThreadOptions } from './sqlite-audit-writer-thread.js';
export { SqliteAuditQuery } from './sqlite-audit-query.js';
export type { AuditRecordFilter, SegmentRecord } from './sqlite-audit-query.js';
export { acquireStoreLock, StoreLockedError } from './store-lock.js';
export type { StoreLock } from './store-lock.js';
export { SqliteContractStore } from './sqlite-contract-store.js';
export { SqliteContractCopies } from './sqlite-contract-copies.js';
export { SqliteSubscriptionStore } from './sqlite-subscription-store.js';
export { SqliteConsentStore } from './sqlite-consent-store.js';
export { SqliteAccountStore } from './sqlite-account-store.js';
export { SqliteOidcStore } from './sqlite-oidc-store.js';
export { openPostgres, applyPostgresMigrations, inTransaction, NO_PUBLISHER } from './pg.js';
export type { PgPool, PgClient, ChangePublisher, OpenPostgresOptions } from './pg.js';
export { PgAuditStore } from './pg-audit-store.js';
export { PgConsentStore } from './pg-consent-store.js';
export { PgContractStore } from './pg-contract-store.js';
export { PgContractCopies } from './pg-contract-copies.js';
export { PgSubscriptionStore } from './pg-subscription-store.js';
export { PgStatusListStore } from './pg-status-list-store.js';
export { PgChangeFeed } from './pg-change-feed.js';
export type { PgChangeFeedOptions } from './pg-change-feed.js';
export { loadOrCreateInstanceId, readInstanceId, InstanceIdError, INSTANCE_ID_FILE } from './instance-id.js';
export { SqliteStatusListStore } from './sqlite-status-list-store.js';
export { SqliteTrustedIssuerStore } from './sqlite-trusted-issuer-store.js';
export { PgTrustedIssuerStore } from './pg-trusted-issuer-store.js';
export { PgAccountStore } from './pg-account-store.js';
export { PgOidcStore } from './pg-oidc-store.js';
export { PgLoginFailures } from './pg-login-failures.js';
export { SqliteLoginFailures } from './sqlite-login-failures.js';
export { StoredExpiringKeys, PRUNE_BATCH } from './expiring-keys.js';
export type { KeyTable, StoredExpiringKeysOptions } from './expiring-keys.js';
export { sqliteKeyTable } from './sqlite-expiring-keys.js';
export { pgKeyTable } from './pg-expiring-keys.js';
export { PgUsageCounters } from './pg-usage-counters.js';
export type { PgUsageCountersOptions } from './pg-usage-counters.js';
export { RowBudget } from './row-budget.js';
