/**
 * The tamper-evident audit log: every decision becomes a record carrying the SHA-256 hash
 * of the record before it; every `checkpointEvery` records (and on close) the head of the
 * chain is signed with the city's Ed25519 key. verifyAudit() finds any edit, deletion,
 * reorder or cut-off tail, and a data-subject index row deleted, added or moved. The log depends only on the AuditStore interface (src/store).
 *
 * Durability and batching (group commit):
 * - append() validates and copies the event and queues it: a few microseconds, no I/O.
 *   Its promise resolves only after the transaction holding the record has committed, and
 *   a commit means the WAL reached the disk (synchronous=FULL, or the store's own flush
 *   when the store offers commitBatch: on SQLite the gateway's store commits and flushes
 *   in a worker thread, SqliteAuditWriterThread). A 2xx must wait for the promise of its
 *   decision's record; a record no caller waits for (a read's outcome) is appended
 *   `withNext`: it starts no batch of its own but joins the next one, or is written alone
 *   after WITH_NEXT_WITHIN_MS (20 ms).
 * - The first append in an event-loop turn schedules a flush with setImmediate, so every
 *   append made in the same turn shares one transaction and one fsync; a queue reaching
 *   `maxBatch` (default 256) flushes at once. Flushes run one after another, so a batch is
 *   never chained onto records that could still fail. With a store that takes batches
 *   in order without waiting for the disk (commitBatch), the next batch is handed over
 *   while earlier ones are still being committed or flushed: the store refuses a batch
 *   that does not continue what it holds, so if one fails, the log refuses its callers and
 *   those of every batch handed over after it, and re-reads the head once all have
 *   settled.
 * - The flush assigns seqs, computes hashes (~1-2 µs each) and signs due checkpoints
 *   (~50 µs each) right before the write, so checkpoints commit with their records.
 * - If a write fails, every pending append rejects with a 503 MimtrustError
 *   (`audit_write_failed`) and the chain head is re-read from the store before the next
 *   write, so the chain continues from what is really on disk.
 * - Throughput is bounded by fsync rate x batch size, not by fsyncs per request.
 */
export { AuditRecordCorruptError } from './store.js';
export type { AuditStore } from './store.js';
export { AuditLog } from './log.js';
export type { AuditLogOptions } from './log.js';
export { verifyAudit } from './verify.js';
export type { VerifyOptions } from './verify.js';
export { loadOrCreateAuditKey, AUDIT_PRIVATE_KEY_FILE, AUDIT_PUBLIC_KEY_FILE } from './keys.js';
export type { AuditKeyPair } from './keys.js';
export { auditKeyId, toAuditSigningKey, toAuditVerifyKeys } from './signing-key.js';
export type { AuditSigningKey, AuditKeyInput } from './signing-key.js';
export { GENESIS_HASH, recordHash, chainPayload } from './chain.js';
export { canonicalJson } from '../lib/index.js';
export { signCheckpoint, checkpointSignatureValid } from './checkpoint.js';
export { AnchorFile, readAnchorFile, workerAnchorFile, DEFAULT_ANCHOR_FILE_NAME } from './anchor-file.js';
export type { AnchorRead } from './anchor-file.js';
export { WitnessClient } from './witness.js';
export type { WitnessOptions } from './witness.js';
export { CheckpointCopies } from './checkpoint-copies.js';
export type { CheckpointCopiesOptions } from './checkpoint-copies.js';
export { DEFAULT_MAX_TARGETS } from './event.js';
export type { AuditEvent, AuditConsent, AuditRelease, AuditDataSubject, AuditTargets, AuditDecided, AuditRecord, AuditCheckpoint, AuditProblem, SubjectIndexRow, VerifyResult } from './types.js';
