/**
 * The child side of a benchmark process. A runner hands in a start function; this module
 * speaks the IPC protocol with the parent:
 *   child -> parent  { type: 'ready', ...info } | { type: 'failed', message } |
 *                    { type: 'rss', rss, heapUsed, heapTotal, external, arrayBuffers } every 500 ms |
 *                    { type: 'stopped', ...summary }
 *                    { type: 'cpu', micros, gcMicros, mainMicros } in answer to 'cpu': user + system CPU time of the
 *                    process so far, the main thread's garbage collection pauses so far, and the
 *                    main thread's own CPU time so far (Linux; NaN elsewhere)
 *   parent -> child  { type: 'stop' } | { type: 'cpu' }
 * The child never outlives its parent: losing the IPC channel ends it.
 */
import { readFileSync } from 'node:fs';
import { PerformanceObserver } from 'node:perf_hooks';

const RSS_INTERVAL_MS = 500;

/**
 * CPU time of the main thread alone, in µs: the event loop that serves requests, without
 * the audit writer thread, V8's GC helpers or libuv's pool (its schedstat counts ns on CPU).
 */
function mainThreadMicros() {
  try {
    return Number(readFileSync(`/proc/self/task/${process.pid}/schedstat`, 'utf8').split(' ')[0]) / 1000;
  } catch {
    return NaN;
  }
}

/**
 * @param {(options: any) => Promise<{ info: object, close: () => Promise<object | void> }>} start
 */
export function runAsChild(start) {
  const send = process.send?.bind(process);
  if (!send) {
    console.error('this script is started by bench/gateway.mjs through child_process.fork');
    process.exit(2);
  }
  let stopping = false;
  const options = JSON.parse(process.argv[2] ?? '{}');

  // Pauses of the main thread for garbage collection, as Node reports them (the GC's
  // helper threads count in the CPU time, not here).
  let gcMs = 0;
  new PerformanceObserver((list) => {
    for (const entry of list.getEntries()) gcMs += entry.duration;
  }).observe({ entryTypes: ['gc'] });

  // Sampled here, inside the process under test, so the figure is its own memory and
  // not the load generator's.
  const sampler = setInterval(() => {
    const { rss, heapUsed, heapTotal, external, arrayBuffers } = process.memoryUsage();
    send({ type: 'rss', rss, heapUsed, heapTotal, external, arrayBuffers });
  }, RSS_INTERVAL_MS);

  process.on('disconnect', () => {
    if (!stopping) process.exit(1);
  });

  start(options).then(
    (sut) => {
      send({ type: 'ready', rss: process.memoryUsage.rss(), ...sut.info });
      process.on('message', (msg) => {
        if (msg?.type === 'cpu') {
          // All threads of the process: a writer thread's work counts as the gateway's.
          const { user, system } = process.cpuUsage();
          send({ type: 'cpu', micros: user + system, gcMicros: Math.round(gcMs * 1000), mainMicros: mainThreadMicros() });
          return;
        }
        if (msg?.type !== 'stop' || stopping) return;
        stopping = true;
        clearInterval(sampler);
        sut.close().then(
          (summary) => send({ type: 'stopped', ...(summary ?? {}) }, () => process.disconnect()),
          (err) => send({ type: 'failed', message: `close failed: ${err?.stack ?? err}` }, () => process.exit(1)),
        );
      });
    },
    (err) => {
      stopping = true;
      clearInterval(sampler);
      send({ type: 'failed', message: String(err?.stack ?? err) }, () => process.exit(1));
    },
  );
}
