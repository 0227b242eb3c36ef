/**
 * The gateway's stores, on the embedded SQLite file (`store.path`, the default) or on
 * PostgreSQL (`store.url`), behind the same interfaces, with the change feed the caches
 * listen on and the /ready checks each needs.
 *
 * SQLite: one gateway per file (the store lock, taken before by the gateway or, with
 * several workers, by their primary), the audit log written by a thread of its own
 * (SqliteAuditWriterThread) on its own connection, made durable by its fdatasync there. A single gateway writes the default audit segment and uses the in-process feed;
 * a worker writes its own segment and announces its changes to the others through the
 * primary (ClusterChangeFeed). PostgreSQL: one pool, this instance's audit segment, the
 * LISTEN/NOTIFY feed; no store lock, since sharing the database between instances is the
 * point. The expiring keys (sessions, sign-ins under way, single-use proofs and
 * challenges) are on a connection of their own on SQLite, shared by every worker of the
 * file; on PostgreSQL they and the usage counters are shared by every instance.
 */
import type { AuditRecord, AuditStore } from '../audit/index.js';
import type { AccountStore } from '../accounts/index.js';
import type { FailureCounters, OidcModelStore } from '../issuer/index.js';
import { ClusterChangeFeed, InProcessChangeFeed, type ChangeFeed } from '../changes/index.js';
import type { Config } from '../config/index.js';
import type { ConsentStore } from '../consent/index.js';
import type { ContractCopies, ContractStore } from '../contracts/index.js';
import type { SubscriptionStore } from '../subscriptions/index.js';
import type { StatusListStore, TrustedIssuerStore } from '../credentials/index.js';
import type { UsageCounting } from '../gateway/index.js';
import type { ExpiringKeys } from '../lib/index.js';
import type { GatewayMetrics, Logger, ReadinessCheck } from '../observe/index.js';
import { storeWritable } from '../observe/index.js';
import {
  openPostgres, openSqlite, PgAccountStore, PgAuditStore, PgLoginFailures, PgOidcStore, SqliteAccountStore, SqliteAuditQuery, SqliteLoginFailures, SqliteOidcStore, PgChangeFeed, PgConsentStore, PgContractCopies, PgContractStore, PgStatusListStore, PgTrustedIssuerStore, SqliteStatusListStore, SqliteTrustedIssuerStore,
  PgSubscriptionStore, PgUsageCounters, SqliteAuditWriterThread, StoredExpiringKeys, pgKeyTable, sqliteKeyTable, SqliteConsentStore, SqliteContractCopies, SqliteContractStore, SqliteSubscriptionStore,
  type PgPool, type SqliteDatabase,
} from '../store/index.js';
import { dirname } from 'node:path';
import { workerSegment } from './worker-segment.js';
import { instanceIdFor } from './startup-errors.js';

export interface Stores {
  audit: AuditStore;
  contracts: ContractStore;
  contractCopies: ContractCopies;
  consents: ConsentStore;
  subscriptions: SubscriptionStore;
  /** The status lists of the credentials the city issues. */
  statusLists: StatusListStore;
  /** The operator's trusted issuers (another instance's changes are heard on the change feed). */
  trustedIssuers: TrustedIssuerStore;
  changes: ChangeFeed;
  /** The OIDC issuer's citizens' accounts. */
  accounts: AccountStore;
  /** What oidc-provider keeps: sessions, interactions, grants, codes, tokens. */
  oidc: OidcModelStore;
  /** Where the issuer counts failed logins: in the database on PostgreSQL and for the workers of a SQLite file, in memory (undefined) for a single gateway. */
  loginFailures: FailureCounters | undefined;
  /** Removes at most `limit` expired rows of what the issuer keeps; resolves how many. */
  sweep(limit: number): Promise<number>;
  /** The newest `limit` audit records that released a data subject's data, oldest first (the wallet's access history). */
  accessHistory(subject: string, limit: number): Promise<AuditRecord[]>;
  /** Sessions, sign-ins under way, single-use proofs and challenges: seen by every process on the store. */
  keys: ExpiringKeys;
  /** Whether other processes share the store (PostgreSQL, or the workers of one SQLite file): what only one process sees may stay in its memory otherwise. */
  shared: boolean;
  /** Usage counters kept in the store for every instance (PostgreSQL); undefined on SQLite, where they are kept in memory. */
  counters: UsageCounting | undefined;
  /** This gateway's audit segment; undefined for a single gateway on SQLite (the default segment). */
  instance: string | undefined;
  /** For /ready. */
  checks: ReadinessCheck[];
  close(): Promise<void>;
}

interface StoreDeps {
  log: Logger;
  metrics: GatewayMetrics;
  /** The worker's slot when the gateway runs in several processes: its own audit segment. */
  worker?: number | undefined;
}

/** However slow the database, /ready does not wait longer than this for it. */
const READY_QUERY_TIMEOUT_MS = 2000;

export function openStores(config: Config, deps: StoreDeps): Promise<Stores> {
  return config.store.url === null ? Promise.resolve(openSqliteStores(config, deps)) : openPostgresStores(config, config.store.url, deps);
}

function openSqliteStores(config: Config, { log, metrics, worker }: StoreDeps): Stores {
  const path = config.store.path;
  const opened: SqliteDatabase[] = [];
  let audit: SqliteAuditWriterThread | undefined;
  try {
    // A worker is a writer of its own to the audit log: its segment (the primary made the instance id).
    const segment = worker === undefined ? undefined : workerSegment(instanceIdFor(config.store.instance, dirname(path)), worker);
    const db = openSqlite(path);
    opened.push(db);
    // The audit log is written by a thread of its own, on its own connection: the inserts,
    // the commit to the WAL and the WAL's fdatasync happen beside the event loop, so a
    // record is durable before its response leaves while no request waits on the disk or
    // on SQLite. Its reads go through the store's connection (WAL lets it read meanwhile).
    audit = new SqliteAuditWriterThread(db, {
      path,
      ...(segment !== undefined ? { segment } : {}),
      fsync: config.audit.fsync,
      onSync: metrics.auditSynced,
      onStopped: (err) => log.error(err, 'the audit writer thread stopped: the writes it held are refused (503); the next write starts it again'),
    });
    if (!config.audit.fsync) log.warn('audit.fsync is false: the last audit records can be lost in a power failure');
    // A connection of its own with no busy timeout: the store check never blocks the event loop.
    const readyDb = openSqlite(path, { busyTimeoutMs: 0 });
    opened.push(readyDb);
    // Its own connection, commits not waiting for the disk: a key lost to a power failure is
    // a sign-in to start again or a challenge to ask again, and nothing waits on an fsync.
    const keysDb = openSqlite(path, { synchronous: 'NORMAL' });
    opened.push(keysDb);
    const keys = new StoredExpiringKeys(sqliteKeyTable(keysDb));
    const onError = (err: unknown) => log.error(err, 'a change was not applied');
    const changes: ChangeFeed = worker === undefined
      ? new InProcessChangeFeed(onError)
      : new ClusterChangeFeed(process, {
        onDown: () => log.error('the channel to the primary is closed: changes made through other workers are not heard; consent records are read from the store on every use'),
        onError: (err) => log.error(err, 'a change was not relayed to the other workers, or not applied'),
      });
    // Only workers announce: a single gateway's caches are the only ones.
    const announce = worker === undefined ? undefined : changes;
    if (segment !== undefined) log.info(`store: SQLite ${path}, audit chain segment ${segment}`);
    const auditStore = audit;
    const oidc = new SqliteOidcStore(db);
    const failures = worker === undefined ? undefined : new SqliteLoginFailures(db);
    return {
      audit: auditStore,
      contracts: new SqliteContractStore(db, announce),
      contractCopies: new SqliteContractCopies(db),
      consents: new SqliteConsentStore(db, announce),
      subscriptions: new SqliteSubscriptionStore(db, announce),
      statusLists: new SqliteStatusListStore(db),
      trustedIssuers: new SqliteTrustedIssuerStore(db, announce),
      changes,
      accounts: new SqliteAccountStore(db),
      oidc,
      // Workers of one file count failed logins in it, so N workers give a guesser no more tries than one.
      loginFailures: failures === undefined ? undefined : (name, limit) => failures.counter(name, limit),
      sweep: async (limit) => {
        const swept = await oidc.sweep(limit);
        return failures === undefined ? swept : swept + await failures.sweep(Date.now(), Math.max(0, limit - swept));
      },
      // Read on the store's own connection: WAL lets it read while the audit log writes.
      accessHistory: async (subject, limit) => new SqliteAuditQuery(db, { subject }).newest(limit),
      keys,
      // The workers of one file share it: what one has seen, the others must see.
      shared: worker !== undefined,
      counters: undefined,
      instance: segment,
      checks: [
        ['store', storeWritable(readyDb, path)],
        ...(worker === undefined ? [] : [['changes', async () => changes.check()] as ReadinessCheck]),
      ],
      async close() {
        keys.close();
        await changes.close();
        await auditStore.close();
        for (const d of opened.reverse()) d.close();
      },
    };
  } catch (err) {
    void audit?.close();
    for (const d of opened.reverse()) d.close();
    throw err;
  }
}

async function openPostgresStores(config: Config, url: string, { log, worker }: StoreDeps): Promise<Stores> {
  const id = instanceIdFor(config.store.instance, dirname(config.store.path));
  // A worker is an instance of its own to the audit chain and the change feed.
  const instance = worker === undefined ? id : workerSegment(id, worker);
  const pool: PgPool = await openPostgres(url);
  try {
    const changes = await PgChangeFeed.open({
      url,
      pool,
      instance,
      onState: (live, err) => {
        if (live) log.info('the change feed is listening again; everything kept in memory is read again');
        else log.error(err, 'the change feed is down: changes made on other instances are not heard until it reconnects');
      },
      onError: (err) => log.error(err, 'a change made on another instance was not applied'),
    });
    log.info(`store: PostgreSQL, audit chain segment of instance ${instance}`);
    const oidc = new PgOidcStore(pool);
    const failures = new PgLoginFailures(pool);
    const keys = new StoredExpiringKeys(pgKeyTable(pool));
    const counters = new PgUsageCounters(pool);
    return {
      audit: new PgAuditStore(pool, instance),
      contracts: new PgContractStore(pool, changes),
      contractCopies: new PgContractCopies(pool),
      consents: new PgConsentStore(pool, changes),
      subscriptions: new PgSubscriptionStore(pool, changes),
      statusLists: new PgStatusListStore(pool),
      trustedIssuers: new PgTrustedIssuerStore(pool, changes),
      changes,
      accounts: new PgAccountStore(pool),
      oidc,
      loginFailures: (name, limit) => failures.counter(name, limit),
      sweep: async (limit) => {
        const swept = await oidc.sweep(limit);
        return swept + await failures.sweep(Date.now(), Math.max(0, limit - swept));
      },
      accessHistory: (subject, limit) => PgAuditStore.released(pool, subject, limit),
      keys,
      shared: true,
      counters,
      instance,
      checks: [
        ['store', () => withTimeout(pool.query('SELECT 1').then(() => undefined), READY_QUERY_TIMEOUT_MS)],
        ['changes', async () => changes.check()],
      ],
      async close() {
        keys.close();
        counters.close();
        await changes.close();
        await pool.end();
      },
    };
  } catch (err) {
    await pool.end().catch(() => undefined);
    throw err;
  }
}

function withTimeout(p: Promise<void>, ms: number): Promise<void> {
  let timer: NodeJS.Timeout | undefined;
  const late = new Promise<void>((_, reject) => { timer = setTimeout(() => reject(new Error('the store did not answer in time')), ms); });
  return Promise.race([p, late]).finally(() => clearTimeout(timer));
}
