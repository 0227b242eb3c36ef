// What AuditLog.append costs the event loop itself, per record: checking and copying the
// event, chaining and hashing it into a record, queueing and settling it, on a store that
// takes each batch at once (the hand-over to the writer thread and the disk are measured
// by audit-transfer.mjs and audit-handoff.mjs). BENCH_APPENDS (40000) appends in batches of
// each size of BENCH_BATCH_SIZES (1,4,16), each batch appended in one turn, as a gateway's
// concurrent requests append theirs, and awaited before the next. Events shaped like a
// read's decision and outcome records, alternately. The figure is the main thread's own
// CPU time (Linux: /proc/self/task/<pid>/schedstat).
//
//   npm run build && node bench/audit-append.mjs
import { readFileSync } from 'node:fs';
import { generateKeyPairSync, randomUUID } from 'node:crypto';
import { AuditLog } from '../dist/audit/index.js';

const APPENDS = Number(process.env.BENCH_APPENDS ?? 40_000);
const SIZES = (process.env.BENCH_BATCH_SIZES ?? '1,4,16').split(',').map(Number);

function mainThreadCpuUs() {
  return Number(readFileSync(`/proc/self/task/${process.pid}/schedstat`, 'utf8').split(' ')[0]) / 1000;
}

/** A store that keeps nothing and answers every batch at once. */
const store = {
  commitBatch: () => ({ durable: Promise.resolve() }),
  appendBatch: async () => undefined,
  appendCheckpoint: async () => undefined,
  readRange: async () => [],
  lastRecord: async () => undefined,
  checkpoints: async () => [],
  readSubjectIndex: async () => [],
};

function event(i) {
  const outcome = i % 2 === 1;
  return {
    time: new Date().toISOString(), decisionId: randomUUID(), requestId: `req-${i}`, issuer: 'urn:mimtrust:local-issuer', sub: 'bench', clientId: 'bench',
    binding: 'bearer', operation: 'entity.retrieve', action: 'read', targets: { entityIds: [`urn:ngsi-ld:ParkingSpot:${i}`], types: [], attrs: [] },
    effect: 'permit', reason: outcome ? 'permitted' : 'before_effect', latencyMs: 1.234, method: 'GET', path: `/ngsi-ld/v1/entities/urn:ngsi-ld:ParkingSpot:${i}`,
    ...(outcome ? { upstreamStatus: 200 } : {}),
  };
}

const log = await AuditLog.open({ store, signingKey: generateKeyPairSync('ed25519').privateKey });
console.log(`AuditLog.append on the main thread: ${APPENDS} appends per batch size, node ${process.version}`);
// A first pass warms the code up; the figures are of the second.
for (const pass of [1, 2]) {
  for (const size of SIZES) {
    const before = mainThreadCpuUs();
    for (let i = 0; i < APPENDS; i += size) {
      const batch = [];
      for (let j = 0; j < size; j++) batch.push(log.append(event(i + j)));
      await Promise.all(batch);
    }
    const perAppend = (mainThreadCpuUs() - before) / APPENDS;
    if (pass === 2) console.log(`  ${String(size).padStart(2)} per batch: ${perAppend.toFixed(1)} µs CPU per append (event built included)`);
  }
}
await log.close();
