/**
 * Worker-thread side of WorkerAuditStore: owns one SQLite connection and runs the audit
 * store's methods on it, so a durable commit (an fsync) never blocks the gateway's event
 * loop. Messages: { id, method, args } in; { id, result } or { id, error } out.
 */
import { parentPort, workerData } from 'node:worker_threads';
import { openSqlite } from './sqlite.js';
import { SqliteAuditStore } from './sqlite-audit-store.js';
import type { AuditStore } from './audit-store.js';

type Method = keyof AuditStore;
interface Call { id: number; method: Method; args: unknown[] }

const port = parentPort;
if (!port) throw new Error('sqlite-worker must run in a worker thread');
const { path } = workerData as { path: string };
const db = openSqlite(path);
const store = new SqliteAuditStore(db);

port.on('message', (msg: Call | 'close') => {
  if (msg === 'close') {
    db.close();
    port.close();
    return;
  }
  const fn = store[msg.method] as (...a: unknown[]) => Promise<unknown>;
  fn.apply(store, msg.args).then(
    (result) => port.postMessage({ id: msg.id, result }),
    (err: unknown) => {
      const e = err as { message?: string; reason?: string; seq?: number; code?: string };
      port.postMessage({ id: msg.id, error: { message: e.message ?? String(err), reason: e.reason, seq: e.seq, code: e.code } });
    },
  );
});
port.postMessage({ ready: true });
