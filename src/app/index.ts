/**
 * The application: assembles configuration, keys, TLS, token checks, roles, contracts, the
 * audit log and the broker pool, and mounts each role (NGSI-LD proxy, admin API, citizen
 * consent API, the issuer, the console, the citizen wallet) as a plugin of one HTTPS server (`server.ts`), with the API description
 * (openapi/) and CORS for browser applications (`cors.ts`). `stores.ts` opens the stores
 * (SQLite or PostgreSQL) behind one set of interfaces; `sweep.ts` removes what the issuer
 * keeps once it has expired, in batches; `request-logger.ts` gives each request a logger
 * that becomes a pino child only when something is logged through it. `startGateway` is
 * what `mimtrust start` runs.
 *
 * With `workers` above 1, `cluster.ts` runs the primary: it forks that many workers, each
 * a whole gateway (`startGateway` with its slot) on the one port, restarts those that die
 * and serves the metrics of all; `worker-segment.ts` names each worker's audit segment;
 * `worker-counters.ts` keeps the usage counters of all workers in the primary on SQLite
 * (on PostgreSQL every process counts in the database, `stores.ts`). `node-flags.ts` holds
 * the V8 settings a gateway process runs with: those fixed at start-up, which workers are
 * forked with, and those V8 reads as it runs, which `startGateway` sets itself.
 */
export { startGateway } from './start.js';
export type { Gateway, GatewayLogger } from './start.js';
export { createServer } from './server.js';
export { runCluster, tellPrimary, workerSlot, WORKER_SLOT_ENV } from './cluster.js';
export type { WorkerMessage } from './cluster.js';
export { workerSegment, workerOfSegment } from './worker-segment.js';
export { GATEWAY_NODE_FLAGS, GATEWAY_RUNTIME_FLAGS, gatewayExecArgv, applyRuntimeFlags } from './node-flags.js';
