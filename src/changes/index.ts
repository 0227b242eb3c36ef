/**
 * Change propagation between gateway instances that share a store: a cache that keeps
 * something in memory (consent records, the contract snapshot, the trusted issuers) subscribes to a ChangeFeed
 * and re-reads what an event names, or everything after the feed was down.
 * - `change-feed.ts`: the events, the ChangeFeed and ChangeListener interfaces.
 * - `in-process-feed.ts`: the feed within one process (the embedded SQLite store, one gateway).
 * - `cluster-feed.ts`: the feed between the workers of one gateway on SQLite, through the
 *   primary over the cluster channel (ClusterChangeFeed in a worker, relayChange in the primary).
 * The PostgreSQL feed (LISTEN/NOTIFY) is in src/store/pg-change-feed.ts.
 */
export { announceCommitted, parseChangeEvent, tellListeners } from './change-feed.js';
export type { ChangeEvent, ChangeFeed, ChangeListener } from './change-feed.js';
export { InProcessChangeFeed } from './in-process-feed.js';
export { ClusterChangeFeed, parseChangeMessage, relayChange } from './cluster-feed.js';
export type { ChangeMessage, ClusterChangeFeedOptions, PrimaryChannel, WorkerChannel } from './cluster-feed.js';
