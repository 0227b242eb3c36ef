/**
 * Persistent storage, one narrow interface per concern: AuditStore (audit-store.ts),
 * ContractStore (contract-store.ts) and SubscriptionStore (subscriptions/types.ts). The
 * SQLite implementations are the embedded default;
 * WalSync makes audit commits durable without blocking the event loop. A PostgreSQL
 * implementation for multi-instance deployments follows the same interfaces.
 */
export { AuditRecordCorruptError } from './audit-store.js';
export type { AuditStore } from './audit-store.js';
export { openSqlite, applyMigrations } from './sqlite.js';
export type { SqliteDatabase, OpenSqliteOptions } from './sqlite.js';
export { SQLITE_MIGRATIONS } from './migrations.js';
export { SqliteAuditStore } from './sqlite-audit-store.js';
export type { ContractStore, StoredContract } from './contract-store.js';
export { SqliteContractStore } from './sqlite-contract-store.js';
export { WalSync } from './wal-sync.js';
export { SqliteSubscriptionStore } from './sqlite-subscription-store.js';
