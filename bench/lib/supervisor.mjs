/**
 * The parent side of the benchmark processes: fork a runner, wait until it is listening,
 * follow its resident memory, stop it gracefully (so a CPU profile and the audit log are
 * written out) and, whatever happens, kill it before the benchmark exits.
 */
import { rmSync } from 'node:fs';
import { fork } from 'node:child_process';
import { fileURLToPath } from 'node:url';

const LIVE = new Set();

function killNow(handle) {
  if (handle.child.exitCode === null && handle.child.signalCode === null) handle.child.kill('SIGKILL');
  LIVE.delete(handle);
}

/** Kills every runner still alive; safe to call more than once and from an exit handler. */
export function killAll() {
  for (const handle of [...LIVE]) killNow(handle);
}

function withTimeout(promise, ms, what) {
  let timer;
  const timeout = new Promise((_, reject) => {
    timer = setTimeout(() => reject(new Error(`${what} did not happen within ${ms} ms`)), ms);
  });
  return Promise.race([promise, timeout]).finally(() => clearTimeout(timer));
}

/**
 * Forks `lib/<script>` with `options` (JSON in argv) and resolves once it reports ready.
 * @returns {Promise<RunnerHandle>}
 */
export async function startRunner(name, script, options, { execArgv = [], readyTimeoutMs = 30_000 } = {}) {
  const path = fileURLToPath(new URL(script, import.meta.url));
  const child = fork(path, [JSON.stringify(options)], { execArgv, stdio: ['ignore', 'inherit', 'inherit', 'ipc'] });
  const handle = new RunnerHandle(name, child);
  LIVE.add(handle);
  try {
    handle.info = await withTimeout(handle.next('ready'), readyTimeoutMs, `${name} start`);
    return handle;
  } catch (err) {
    killNow(handle);
    throw err;
  }
}

export class RunnerHandle {
  constructor(name, child) {
    this.name = name;
    this.child = child;
    this.info = undefined;
    /** RSS reported when the runner became ready (idle, after start-up). */
    this.rssAtReady = 0;
    this.rssMax = 0;
    this.heapUsedMax = 0;
    /**
     * The sample with the highest RSS, split: heapTotal (what V8 holds for its heap, used or
     * not), external (memory of C++ objects JS holds, array buffers included), and the rest,
     * native memory V8 does not account (malloc: TLS, SQLite, compiled code, thread stacks).
     */
    this.atRssMax = undefined;
    /** The main thread's GC pauses so far, in µs, as of the last CPU time read. */
    this.gcMicros = NaN;
    /** The main thread's own CPU time so far, in µs, as of the last CPU time read. */
    this.mainMicros = NaN;
    this.waiting = new Map();
    this.exited = new Promise((resolve) => child.once('exit', (code, signal) => resolve({ code, signal })));
    child.on('message', (msg) => this.onMessage(msg));
    child.once('exit', (code, signal) => {
      LIVE.delete(this);
      const err = new Error(`${name} exited (code ${code}, signal ${signal})`);
      for (const { reject } of this.waiting.values()) reject(err);
      this.waiting.clear();
    });
  }

  onMessage(msg) {
    if (msg?.type === 'rss' || msg?.type === 'ready') this.rssMax = Math.max(this.rssMax, msg.rss);
    if (msg?.type === 'rss') {
      this.heapUsedMax = Math.max(this.heapUsedMax, msg.heapUsed);
      if (msg.rss >= (this.atRssMax?.rss ?? 0)) {
        const { rss, heapUsed, heapTotal, external, arrayBuffers } = msg;
        this.atRssMax = { rss, heapUsed, heapTotal, external, arrayBuffers, native: rss - heapTotal - external };
      }
    }
    if (msg?.type === 'ready') this.rssAtReady = msg.rss;
    if (msg?.type === 'failed') {
      const err = new Error(`${this.name} failed: ${msg.message}`);
      for (const { reject } of this.waiting.values()) reject(err);
      this.waiting.clear();
      return;
    }
    const waiter = this.waiting.get(msg?.type);
    if (waiter) {
      this.waiting.delete(msg.type);
      waiter.resolve(msg);
    }
  }

  next(type) {
    return new Promise((resolve, reject) => this.waiting.set(type, { resolve, reject }));
  }

  /** User + system CPU time the runner's process has used so far, in µs. */
  async cpuMicros(timeoutMs = 5_000) {
    const answer = this.next('cpu');
    this.child.send({ type: 'cpu' });
    const { micros, gcMicros, mainMicros } = await withTimeout(answer, timeoutMs, `${this.name} CPU time`);
    this.gcMicros = gcMicros ?? NaN;
    this.mainMicros = mainMicros ?? NaN;
    return micros;
  }

  /** Graceful stop: the runner closes its server and exits by itself; killed if it takes too long. */
  async stop(timeoutMs = 15_000) {
    if (this.child.exitCode !== null || this.child.signalCode !== null) throw new Error(`${this.name} is not running`);
    const stopped = this.next('stopped');
    this.child.send({ type: 'stop' });
    try {
      const summary = await withTimeout(stopped, timeoutMs, `${this.name} stop`);
      await withTimeout(this.exited, timeoutMs, `${this.name} exit`);
      return summary;
    } finally {
      killNow(this);
    }
  }
}

/**
 * Runs a benchmark's `main(settings)` as the process: `cleanUp` on exit and on SIGINT or
 * SIGTERM, settings that cannot be read exit 2, and a run past `settings.timeBoundMs` is
 * stopped, so that no benchmark outlives its bound or leaves children behind.
 */
export function runBenchmark(readSettings, main, cleanUp) {
  process.on('exit', cleanUp);
  for (const signal of ['SIGINT', 'SIGTERM']) {
    process.on(signal, () => {
      cleanUp();
      process.exit(130);
    });
  }
  let settings;
  try {
    settings = readSettings();
  } catch (err) {
    console.error(err.message);
    process.exit(2);
  }
  setTimeout(() => {
    console.error(`the benchmark did not finish within ${settings.timeBoundMs / 1000} s; stopping`);
    cleanUp();
    process.exit(1);
  }, settings.timeBoundMs).unref();
  main(settings).then(
    (code) => {
      process.exitCode = code;
    },
    (err) => {
      console.error(err?.stack ?? err);
      process.exitCode = 1;
    },
  );
}

/**
 * A benchmark's scratch folder and its clean-up: `use(dir)` names the folder made for a
 * run; `cleanUp()` stops every child and removes the folder (unless `keep` was set), for
 * runBenchmark to call on exit, signal or time-out.
 */
export function scratchSpace() {
  const temp = { dir: undefined, keep: false };
  return {
    use(dir) { temp.dir = dir; },
    keep() { temp.keep = true; },
    cleanUp() {
      killAll();
      if (temp.dir && !temp.keep) rmSync(temp.dir, { recursive: true, force: true });
      temp.dir = undefined;
    },
  };
}
