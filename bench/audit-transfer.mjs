// What it costs to hand a batch of audit records to the audit writer thread, per record,
// for the ways a batch could be posted: the records' structured clone, the records as one
// JSON string, their column values as the insert binds them (recordBatch: what
// SqliteAuditWriterThread posts), and those as one JSON string. Both sides are measured:
// the posting thread (building the message, and postMessage, which serialises at once)
// and the receiving thread (reading the message, and whatever it must do before the
// insert could bind the values: JSON.parse, recordBatch of records). The thread answers
// nothing until the end of each run. BENCH_BATCHES (3000) batches of each size in
// BENCH_BATCH_SIZES (1,2,4,12,64). Records are made by the log's own normalisation, as the
// gateway's are. The figures are each thread's own CPU time (Linux:
// /proc/self/task/<tid>/schedstat, in ns), not the wall time, which a shared machine
// stretches. Reads the built code: `npm run build` first.
import { readFileSync } from 'node:fs';
import { Worker } from 'node:worker_threads';
import { normalizeAuditEvent } from '../dist/audit/event.js';
import { recordBatch } from '../dist/store/sqlite-audit-store.js';

const BATCHES = Number(process.env.BENCH_BATCHES ?? 3000);
const SIZES = (process.env.BENCH_BATCH_SIZES ?? '1,2,4,12,64').split(',').map(Number);

// Shaped like the gateway benchmark's records (a read by id under a role, no contracts):
// a decision and its outcome, normalised as AuditLog.append does.
function record(seq) {
  const outcome = seq % 2 === 0;
  const event = normalizeAuditEvent({
    time: new Date().toISOString(), decisionId: `0b6c2c1e-3a0f-4a6e-9d7a-${String(seq).padStart(12, '0')}`, requestId: `req-${seq}`,
    issuer: 'https://127.0.0.1:8443', sub: 'bench-client', clientId: 'bench-client', binding: 'bearer',
    operation: 'entity.retrieve', action: 'read', targets: { entityIds: [`urn:ngsi-ld:ParkingSpot:${seq}`], types: [], attrs: [] },
    effect: 'permit', reason: outcome ? 'permitted' : 'before_effect', rules: ['role:viewer'], latencyMs: 1.234, method: 'GET',
    path: `/ngsi-ld/v1/entities/urn:ngsi-ld:ParkingSpot:${seq}`, ...(outcome ? { upstreamStatus: 200 } : {}),
  });
  return Object.assign(event, { seq, prevHash: 'a'.repeat(64), hash: 'b'.repeat(64) });
}

/** The main thread's CPU time in µs (the time its task ran, as the scheduler counts it). */
function mainThreadCpuUs() {
  return Number(readFileSync(`/proc/self/task/${process.pid}/schedstat`, 'utf8').split(' ')[0]) / 1000;
}

// The receiving thread does per message what its way needs before an insert, and reports
// its own CPU time since the last report when told 'end'.
const worker = new Worker(
  `const { parentPort } = require('node:worker_threads');
  const { readFileSync } = require('node:fs');
  const cpu = () => Number(readFileSync('/proc/thread-self/schedstat', 'utf8').split(' ')[0]) / 1000;
  import(${JSON.stringify(new URL('../dist/store/sqlite-audit-store.js', import.meta.url).href)}).then(({ recordBatch }) => {
    const receive = {
      records: (m) => recordBatch(m.records),
      'records JSON': (m) => recordBatch(JSON.parse(m.records)),
      values: (m) => m.batch,
      'values JSON': (m) => JSON.parse(m.batch),
    };
    let t0 = cpu();
    let sink = 0;
    parentPort.on('message', (m) => {
      if (m === 'end') { const t = cpu(); parentPort.postMessage(t - t0); t0 = cpu(); return; }
      if (m.answer) { parentPort.postMessage('done'); return; }
      sink += receive[m.way](m).rows.length;
    });
    parentPort.postMessage('ready');
  });`,
  { eval: true },
);
await new Promise((r) => worker.once('message', r));
const ways = {
  'records (structured clone)': (b) => worker.postMessage({ kind: 'batch', way: 'records', id: 1, records: b, checkpoints: [] }),
  'records as one JSON string': (b) => worker.postMessage({ kind: 'batch', way: 'records JSON', id: 1, records: JSON.stringify(b), checkpoints: [] }),
  'column values (recordBatch)': (b) => worker.postMessage({ kind: 'batch', way: 'values', id: 1, batch: recordBatch(b), checkpoints: [] }),
  'column values as one JSON': (b) => worker.postMessage({ kind: 'batch', way: 'values JSON', id: 1, batch: JSON.stringify(recordBatch(b)), checkpoints: [] }),
};

console.log(`audit batch transfer to a worker thread: ${BATCHES} batches per run, node ${process.version}`);
for (const size of SIZES) {
  const batches = Array.from({ length: BATCHES }, (_, k) => Array.from({ length: size }, (_, i) => record(k * size + i + 1)));
  const best = {};
  // Three rounds, interleaved; the best of each way and thread (the machine may be shared).
  for (let round = 0; round < 3; round++) {
    for (const [name, post] of Object.entries(ways)) {
      worker.postMessage('end');
      await new Promise((r) => worker.once('message', r));
      const t0 = mainThreadCpuUs();
      for (const b of batches) post(b);
      const us = (mainThreadCpuUs() - t0) / (BATCHES * size);
      worker.postMessage('end');
      const received = (await new Promise((r) => worker.once('message', r))) / (BATCHES * size);
      best[name] = { posting: Math.min(best[name]?.posting ?? Infinity, us), receiving: Math.min(best[name]?.receiving ?? Infinity, received) };
    }
  }
  for (const [name, { posting, receiving }] of Object.entries(best)) {
    console.log(`  batch of ${String(size).padStart(3)}: ${name.padEnd(28)} ${posting.toFixed(2)} µs CPU per record posting, ${receiving.toFixed(2)} receiving`);
  }
}
// A gateway's thread mostly sleeps between batches: each post then wakes it, and its
// answer comes back as a message. One batch of two records at a time, answered.
const ROUND_TRIPS = BATCHES * 4;
const t0 = mainThreadCpuUs();
for (let i = 0; i < ROUND_TRIPS; i++) {
  worker.postMessage({ answer: true, batch: recordBatch([record(2 * i + 1), record(2 * i + 2)]) });
  await new Promise((r) => worker.once('message', r));
}
console.log(`  one batch of 2 at a time, waking the thread and reading its answer: ${((mainThreadCpuUs() - t0) / ROUND_TRIPS).toFixed(1)} µs CPU per batch on the posting thread`);

// Could a batch reach a sleeping thread without the message that wakes it? Written as JSON
// into a SharedArrayBuffer (TextEncoder.encodeInto), for a thread that polls it, nothing is
// posted. One batch per 1 ms timer, the event loop asleep in between (caches as cold as a
// gateway's between two requests), minus the cost of the timer alone; three rounds
// interleaved, the best of each way.
const TIMED = BATCHES / 2;
const shared = new Uint8Array(new SharedArrayBuffer(1 << 26));
const encoder = new TextEncoder();
let at = 0;
const paced = {
  'the timer alone': () => undefined,
  'posted (column values, wakes the thread)': (b) => worker.postMessage({ kind: 'batch', way: 'values', id: 1, batch: recordBatch(b), checkpoints: [] }),
  'JSON into shared memory, no message': (b) => {
    const { written } = encoder.encodeInto(JSON.stringify({ records: b, checkpoints: [] }), shared.subarray(at + 12));
    at = at + 12 + written > shared.length - 65536 ? 0 : at + 12 + written;
  },
};
for (const size of [1, 4]) {
  const best = {};
  for (let round = 0; round < 3; round++) {
    for (const [name, hand] of Object.entries(paced)) {
      const batches = Array.from({ length: TIMED }, (_, k) => Array.from({ length: size }, (_, i) => record(k * size + i + 1)));
      const t0 = mainThreadCpuUs();
      for (const b of batches) {
        await new Promise((r) => setTimeout(r, 1));
        hand(b);
      }
      best[name] = Math.min(best[name] ?? Infinity, (mainThreadCpuUs() - t0) / TIMED);
    }
  }
  const base = best['the timer alone'];
  for (const [name, us] of Object.entries(best)) {
    if (name === 'the timer alone') console.log(`  one batch of ${size} per 1 ms timer: the timer alone ${us.toFixed(1)} µs CPU`);
    else console.log(`  one batch of ${size} per 1 ms timer: ${name.padEnd(44)} ${(us - base).toFixed(1)} µs CPU per batch on the posting thread`);
  }
}
await worker.terminate();
