/**
 * One gateway on several cores: the primary process forks `workers` processes
 * (node:cluster) that all serve the one port. The primary does what must happen once
 * before any of them starts (keys, the instance id, migrations), starts the first worker
 * alone so that a start that cannot succeed is reported once, then the others; it
 * restarts a worker that dies (with a bounded backoff), passes SIGTERM and SIGINT on,
 * and serves the metrics of all workers on one listener. Workers run with the V8 settings
 * of node-flags.ts. The primary loads only what this needs, not the application a worker
 * runs (`mimtrust start` imports this file, not app/index.js).
 *
 * Each worker writes its own audit chain segment (the instance id and its slot number,
 * see worker-segment.ts), on PostgreSQL or in the one SQLite file, so `audit verify`
 * checks every record of every worker; usage counters are kept in the primary
 * (worker-counters.ts), so a count limit holds across them. On SQLite the primary holds
 * the store lock for its workers and relays the changes each announces to the others
 * (changes/cluster-feed.ts); on PostgreSQL they travel by LISTEN/NOTIFY.
 */
import cluster, { type Worker } from 'node:cluster';
import type { Config } from '../config/index.js';
import { loadOrCreateSigningKey } from '../keys/index.js';
import { LOCAL_ISSUER_KEY_NAME } from '../issuer/constants.js';
import { loadOrCreateAuditKey } from '../audit/index.js';
import { openPostgres, openSqlite } from '../store/index.js';
import { relayChange, type WorkerChannel } from '../changes/index.js';
import { claimStore } from './claim-store.js';
// The files, not observe/index.js, which also brings the gateway's request path: the primary only supervises.
import type { Logger } from '../observe/logger.js';
import { listenMetrics, type MetricsListener } from '../observe/metrics-listener.js';
import { workersMetrics } from '../observe/cluster-metrics.js';
import { instanceIdFor, requireContractsFolder } from './startup-errors.js';
import { serveWorkerCounters } from './worker-counters.js';
import { gatewayExecArgv } from './node-flags.js';
import { dirname } from 'node:path';

/** The environment variable that tells a forked worker its slot (0 .. workers-1). */
export const WORKER_SLOT_ENV = 'MIMTRUST_WORKER_SLOT';

/** Messages from a worker to the primary. */
export type WorkerMessage = { mimtrust: 'ready'; url: string; metricsUrl?: string } | { mimtrust: 'failed' };

/** A restart waits 100 ms, doubling with each quick death in a row, at most this long. */
const MAX_BACKOFF_MS = 10_000;
const FIRST_BACKOFF_MS = 100;
/** A worker that served this long resets its slot's backoff. */
const STABLE_AFTER_MS = 30_000;
/** A slot whose worker dies this many times in a row before it is ready stops the gateway. */
const MAX_START_FAILURES = 5;

/** The slot this process serves, when it is a worker forked by `runCluster`. */
export function workerSlot(): number | undefined {
  if (!cluster.isWorker) return undefined;
  const raw = process.env[WORKER_SLOT_ENV];
  return raw !== undefined && /^\d+$/.test(raw) ? Number(raw) : undefined;
}

/** Tells the primary how this worker's start went; a no-op outside a cluster. */
export function tellPrimary(message: WorkerMessage): void {
  if (cluster.isWorker && process.send !== undefined) process.send(message);
}

/**
 * Startup work done once, in the primary, before any worker runs: the store lock (SQLite:
 * held by the primary for every worker), keys, the instance id, migrations. Returns the
 * lock, released when the primary exits.
 */
async function prepareOnce(config: Config): Promise<{ release(): void } | undefined> {
  if (config.enforceContracts) requireContractsFolder(config.contractsDir);
  const lock = claimStore(config);
  try {
    loadOrCreateAuditKey(config.keysDir);
    if (config.localIssuer.enabled) await loadOrCreateSigningKey(config.keysDir, LOCAL_ISSUER_KEY_NAME);
    instanceIdFor(config.store.instance, dirname(config.store.path));
    if (config.store.url !== null) {
      const pool = await openPostgres(config.store.url);
      await pool.end();
    } else {
      // Opening migrates: the workers find the schema current and never race to change it.
      openSqlite(config.store.path).close();
    }
    return lock;
  } catch (err) {
    lock?.release();
    throw err;
  }
}

interface Slot {
  worker: Worker | undefined;
  ready: boolean;
  /** Deaths before ready, in a row. */
  failures: number;
  /** Deaths within STABLE_AFTER_MS of the start, in a row: the backoff doubles with each. */
  quickDeaths: number;
  startedAt: number;
  timer: NodeJS.Timeout | undefined;
}

/**
 * Runs the primary: resolves with the exit code once every worker has stopped (after a
 * signal, or because a slot kept failing to start). `onFailure` reports a start failure
 * of the primary's own work once, as the single-process start does.
 */
export async function runCluster(config: Config, log: Logger, onFailure: (err: unknown) => void): Promise<number> {
  const count = config.workers ?? 1;
  let lock: { release(): void } | undefined;
  try {
    lock = await prepareOnce(config);
  } catch (err) {
    onFailure(err);
    return 1;
  }
  // The kernel drops the lock when the primary ends in any way; released here on a clean exit.
  process.once('exit', () => lock?.release());
  const slots: Slot[] = Array.from({ length: count }, () => ({ worker: undefined, ready: false, failures: 0, quickDeaths: 0, startedAt: 0, timer: undefined }));
  let stopping = false;
  let exitCode = 0;
  let metrics: MetricsListener | undefined;
  let finish: (code: number) => void = () => undefined;
  const done = new Promise<number>((resolve) => { finish = resolve; });

  const stopAll = (code: number) => {
    if (stopping) return;
    stopping = true;
    exitCode = code;
    for (const s of slots) {
      clearTimeout(s.timer);
      s.worker?.process.kill('SIGTERM');
    }
    checkAllStopped();
  };
  const checkAllStopped = () => {
    if (!stopping || slots.some((s) => s.worker !== undefined)) return;
    void (metrics?.close() ?? Promise.resolve()).then(() => finish(exitCode));
  };

  const fork = (index: number): Promise<boolean> => new Promise((resolve) => {
    const slot = slots[index]!;
    const worker = cluster.fork({ [WORKER_SLOT_ENV]: String(index) });
    slot.worker = worker;
    slot.ready = false;
    slot.startedAt = Date.now();
    worker.on('message', (m: WorkerMessage) => {
      if (m?.mimtrust !== 'ready') return;
      slot.ready = true;
      log.info(`worker ${index} (pid ${worker.process.pid}) is serving`);
      resolve(true);
    });
    worker.on('exit', (code, signal) => {
      slot.worker = undefined;
      resolve(false);
      if (stopping) {
        if (code !== 0 && signal !== 'SIGTERM') exitCode = 1;
        checkAllStopped();
        return;
      }
      if (slot.ready) {
        slot.failures = 0;
        slot.quickDeaths = Date.now() - slot.startedAt >= STABLE_AFTER_MS ? 0 : slot.quickDeaths + 1;
      } else {
        slot.failures += 1;
        slot.quickDeaths += 1;
      }
      if (slot.failures >= MAX_START_FAILURES) {
        log.error({ code, signal }, `worker ${index} failed to start ${slot.failures} times in a row: stopping the gateway`);
        stopAll(1);
        return;
      }
      const wait = Math.min(MAX_BACKOFF_MS, FIRST_BACKOFF_MS * 2 ** Math.max(0, slot.quickDeaths - 1));
      log.error({ code, signal }, `worker ${index} (pid ${worker.process.pid}) exited (${signal ?? `code ${code}`}); starting it again in ${wait} ms`);
      slot.timer = setTimeout(() => { slot.timer = undefined; if (!stopping) void fork(index); }, wait);
    });
  });

  // Before any worker: a count limit holds across all of them.
  serveWorkerCounters();
  // Whether or not the primary was started with them, the workers serve with the gateway's V8 settings.
  cluster.setupPrimary({ execArgv: gatewayExecArgv(process.execArgv, process.env.NODE_OPTIONS) });
  // On SQLite the workers hear each other's changes through the primary (PostgreSQL has its own feed).
  if (config.store.url === null) {
    cluster.on('message', (from: Worker, m: unknown) => { relayChange(from, m, Object.values(cluster.workers ?? {}) as WorkerChannel[]); });
  }
  process.once('SIGINT', () => { log.info('SIGINT: stopping the workers'); stopAll(0); });
  process.once('SIGTERM', () => { log.info('SIGTERM: stopping the workers'); stopAll(0); });

  // The first worker alone: a configuration that cannot start is reported once, by it.
  if (!(await fork(0))) {
    stopping = true;
    return 1;
  }
  const rest = await Promise.all(slots.slice(1).map((_, i) => fork(i + 1)));
  if (stopping) return done;
  if (rest.some((ok) => !ok)) log.warn('not every worker started; those that did not are being started again');
  if (config.metrics.port !== null) {
    // Scraped in the primary: one answer sums the counters of every worker.
    metrics = await listenMetrics(workersMetrics(), config.metrics.host, config.metrics.port);
    log.info(`metrics of all ${count} workers on ${metrics.url}`);
  }
  log.info(`${count} workers serving`);
  return done;
}
