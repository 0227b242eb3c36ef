// What it costs the event loop to hand a batch of audit records to the audit writer
// thread, per record, for the ways a batch could be posted: the records' structured
// clone (what SqliteAuditWriterThread sends), one JSON string, the rows as arrays of
// column values, and those arrays as one JSON string. Only the posting thread's time is
// measured (postMessage serialises synchronously); the thread answers nothing until the
// end of each run. BENCH_BATCHES (3000) batches of each size in BENCH_BATCH_SIZES (1,4,16,64).
// The figure is the posting thread's own CPU time (Linux: /proc/self/task/<pid>/schedstat,
// in ns), not the wall time, which a shared machine stretches.
import { readFileSync } from 'node:fs';
import { Worker } from 'node:worker_threads';

const BATCHES = Number(process.env.BENCH_BATCHES ?? 3000);
const SIZES = (process.env.BENCH_BATCH_SIZES ?? '1,4,16,64').split(',').map(Number);

// Shaped like the gateway benchmark's records (a read by id under a role, no contracts).
function record(seq) {
  return {
    time: new Date().toISOString(), decisionId: `0b6c2c1e-3a0f-4a6e-9d7a-${String(seq).padStart(12, '0')}`, requestId: `req-${seq}`,
    issuer: 'https://127.0.0.1:8443', sub: 'bench-client', clientId: 'bench-client', binding: 'bearer',
    operation: 'entity.retrieve', action: 'read', targets: { entityIds: [`urn:ngsi-ld:ParkingSpot:${seq}`], types: [], attrs: [] },
    effect: 'permit', reason: 'permitted', rules: ['role:viewer'], upstreamStatus: 200, latencyMs: 1.234, method: 'GET',
    path: `/ngsi-ld/v1/entities/urn:ngsi-ld:ParkingSpot:${seq}`, seq, prevHash: 'a'.repeat(64), hash: 'b'.repeat(64),
  };
}

/** The main thread's CPU time in µs (the time its task ran, as the scheduler counts it). */
function mainThreadCpuUs() {
  return Number(readFileSync(`/proc/self/task/${process.pid}/schedstat`, 'utf8').split(' ')[0]) / 1000;
}

const COLUMNS = ['seq', 'time', 'decisionId', 'requestId', 'sub', 'clientId', 'operation', 'action', 'tenant', 'targets', 'effect', 'reason', 'rules', 'upstreamStatus', 'latencyMs', 'method', 'path', 'prevHash', 'hash', 'decided', 'contractRevision', 'auditLevel', 'issuer', 'providers', 'consent', 'released', 'binding'];
const AS_JSON = new Set(['targets', 'rules', 'decided', 'providers', 'consent', 'released']);
const asArray = (r) => COLUMNS.map((c) => (r[c] === undefined ? null : AS_JSON.has(c) ? JSON.stringify(r[c]) : r[c]));

const worker = new Worker(`const { parentPort } = require('node:worker_threads'); parentPort.on('message', (m) => { if (m === 'end' || m.answer) parentPort.postMessage('done'); });`, { eval: true });
const ways = {
  'structured clone': (b) => worker.postMessage(b),
  'one JSON string': (b) => worker.postMessage(JSON.stringify([b, []])),
  'arrays of columns': (b) => worker.postMessage(b.map(asArray)),
  'arrays as one JSON string': (b) => worker.postMessage(JSON.stringify(b.map(asArray))),
};

console.log(`audit batch transfer to a worker thread: ${BATCHES} batches per run, node ${process.version}`);
for (const size of SIZES) {
  const batches = Array.from({ length: BATCHES }, (_, k) => Array.from({ length: size }, (_, i) => record(k * size + i + 1)));
  const best = {};
  // Three rounds, interleaved; the best of each way (the machine may be shared).
  for (let round = 0; round < 3; round++) {
    for (const [name, post] of Object.entries(ways)) {
      const t0 = mainThreadCpuUs();
      for (const b of batches) post(b);
      const us = (mainThreadCpuUs() - t0) / (BATCHES * size);
      worker.postMessage('end');
      await new Promise((r) => worker.once('message', r));
      best[name] = Math.min(best[name] ?? Infinity, us);
    }
  }
  for (const [name, us] of Object.entries(best)) console.log(`  batch of ${String(size).padStart(3)}: ${name.padEnd(26)} ${us.toFixed(2)} µs CPU per record on the posting thread`);
}
// A gateway's thread mostly sleeps between batches: each post then wakes it, and its
// answer comes back as a message. One batch of two records at a time, answered.
const ROUND_TRIPS = BATCHES * 4;
const t0 = mainThreadCpuUs();
for (let i = 0; i < ROUND_TRIPS; i++) {
  worker.postMessage({ answer: true, records: [record(2 * i + 1), record(2 * i + 2)] });
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
  'posted (structured clone, wakes the thread)': (b) => worker.postMessage({ kind: 'batch', id: 1, records: b, checkpoints: [] }),
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
