/**
 * The load generator: autocannon's programmatic API, a warm-up run that is thrown away,
 * then the measured run. Latency is recorded from autocannon's per-response event into a
 * microsecond histogram, because autocannon's own histogram has 1 ms resolution and the
 * figure that matters here (added latency) is below that.
 */
import autocannon from 'autocannon';
import { createHistogram } from 'node:perf_hooks';

function runOnce(opts, onResponse) {
  return new Promise((resolve, reject) => {
    const instance = autocannon(opts, (err, result) => (err ? reject(err) : resolve(result)));
    if (onResponse) instance.on('response', onResponse);
  });
}

/**
 * `perRequest` adds headers that must differ on every request (a DPoP proof); it runs
 * synchronously as autocannon builds each request. `cpuMicros` reads the CPU time used so
 * far by the process under test: read before and after the measured run, it gives the CPU
 * time per response, which the machine's other load moves far less than requests/s.
 * `gcMicros` and `mainMicros`, read right after each `cpuMicros`, give the GC pauses and
 * the main thread's own CPU time per response alike.
 * @param {{ url: string, headers: Record<string,string>, perRequest?: () => Record<string,string>, connections: number, durationSec: number, warmupSec: number, cpuMicros?: () => Promise<number>, gcMicros?: () => number, mainMicros?: () => number }} o
 */
export async function measure({ url, headers, perRequest, connections, durationSec, warmupSec, cpuMicros, gcMicros, mainMicros }) {
  const opts = { url, headers, connections, pipelining: 1, timeout: 10, method: 'GET' };
  if (perRequest) opts.requests = [{ setupRequest: (req) => ({ ...req, headers: { ...req.headers, ...perRequest() } }) }];
  const warmup = warmupSec > 0 ? await runOnce({ ...opts, duration: warmupSec }) : undefined;

  const latencyUs = createHistogram();
  // On the monotonic clock a CPU profile of the system under test also uses.
  const fromUs = Number(process.hrtime.bigint() / 1000n);
  const cpuBefore = cpuMicros ? await cpuMicros() : undefined;
  const gcBefore = gcMicros?.();
  const mainBefore = mainMicros?.();
  const result = await runOnce({ ...opts, duration: durationSec }, (_client, statusCode, _bytes, responseTimeMs) => {
    if (statusCode >= 200 && statusCode < 300) latencyUs.record(Math.max(1, Math.round(responseTimeMs * 1000)));
  });
  const toUs = Number(process.hrtime.bigint() / 1000n);
  const cpuAfter = cpuMicros ? await cpuMicros() : undefined;
  const gcAfter = gcMicros?.();
  const mainAfter = mainMicros?.();
  const ok = result['2xx'];
  return {
    rps: ok / result.duration,
    p50Ms: latencyUs.count ? latencyUs.percentile(50) / 1000 : NaN,
    p99Ms: latencyUs.count ? latencyUs.percentile(99) / 1000 : NaN,
    meanMs: latencyUs.count ? latencyUs.mean / 1000 : NaN,
    /** CPU time (user + system, all threads) of the process under test per 2xx response of the measured run. */
    cpuUsPerResponse: cpuBefore !== undefined && cpuAfter !== undefined && ok > 0 ? (cpuAfter - cpuBefore) / ok : NaN,
    /** Main-thread GC pauses of the process under test per 2xx response (NaN when not read). */
    gcUsPerResponse: gcBefore !== undefined && gcAfter !== undefined && ok > 0 ? (gcAfter - gcBefore) / ok : NaN,
    /** CPU time of the main thread alone (the event loop) per 2xx response (NaN when not read). */
    mainUsPerResponse: mainBefore !== undefined && mainAfter !== undefined && ok > 0 ? (mainAfter - mainBefore) / ok : NaN,
    ok,
    non2xx: result.non2xx,
    errors: result.errors,
    timeouts: result.timeouts,
    statusCodes: Object.fromEntries(Object.entries(result.statusCodeStats).map(([code, { count }]) => [code, count])),
    bytesPerResponse: result.requests.total ? result.throughput.total / result.requests.total : 0,
    durationSec: result.duration,
    /** Requests sent in both runs, an upper bound on what the server received from this load. */
    sent: result.requests.sent + (warmup?.requests.sent ?? 0),
    completed: result.requests.total + (warmup?.requests.total ?? 0),
    warmupNon2xx: warmup?.non2xx ?? 0,
    /** When the measured run (not the warm-up) took place, in µs of the monotonic clock. */
    window: { fromUs, toUs },
  };
}
