/**
 * Persistent storage: SQLite implementations of the narrow interfaces the other folders
 * declare for what they keep (audit/store.ts, contracts/store.ts, subscriptions/types.ts,
 * consent/store.ts), so storage depends on them and never the other way round. SQLite is the
 * embedded default; WalSync makes audit commits durable without blocking the event loop, and the
 * store lock keeps a second gateway off a data file one is already writing. SqliteAuditQuery
 * reads the audit log by caller, decision, effect and time for the command line. A PostgreSQL
 * implementation for multi-instance deployments follows the same interfaces.
 */
export { openSqlite, applyMigrations } from './sqlite.js';
export type { SqliteDatabase, OpenSqliteOptions } from './sqlite.js';
export { SQLITE_MIGRATIONS } from './migrations.js';
export { SqliteAuditStore } from './sqlite-audit-store.js';
export { SqliteAuditQuery } from './sqlite-audit-query.js';
export type { AuditRecordFilter } from './sqlite-audit-query.js';
export { acquireStoreLock, StoreLockedError } from './store-lock.js';
export type { StoreLock } from './store-lock.js';
export { SqliteContractStore } from './sqlite-contract-store.js';
export { SqliteContractCopies } from './sqlite-contract-copies.js';
export { WalSync } from './wal-sync.js';
export { SqliteSubscriptionStore } from './sqlite-subscription-store.js';
export { SqliteConsentStore } from './sqlite-consent-store.js';
export { SqliteAccountStore } from './sqlite-account-store.js';
export { SqliteOidcStore } from './sqlite-oidc-store.js';
