/** Benchmark settings from the environment, checked up front so a typo fails at once. */

function integer(env, name, fallback, min) {
  const raw = env[name];
  if (raw === undefined || raw === '') return fallback;
  const value = Number(raw);
  if (!Number.isSafeInteger(value) || value < min) throw new Error(`${name} must be an integer >= ${min}, got "${raw}"`);
  return value;
}

function flag(env, name) {
  const raw = env[name];
  if (raw === undefined || raw === '' || raw === '0' || raw === 'false') return false;
  if (raw === '1' || raw === 'true') return true;
  throw new Error(`${name} must be 1/true or 0/false, got "${raw}"`);
}

export function readSettings(env = process.env) {
  const durationSec = integer(env, 'BENCH_DURATION', 10, 1);
  const warmupSec = integer(env, 'BENCH_WARMUP', 2, 0);
  const connections = integer(env, 'BENCH_CONNECTIONS', 16, 1);
  const rounds = integer(env, 'BENCH_ROUNDS', 1, 1);
  return {
    rounds,
    durationSec,
    warmupSec,
    connections,
    workers: integer(env, 'BENCH_WORKERS', 1, 1),
    profile: flag(env, 'BENCH_PROFILE'),
    jsonOut: env.BENCH_JSON || undefined,
    /** Upstream pool size, the same for the gateway and the bare proxy (the gateway's default). */
    upstreamConnections: 128,
    /** Three measured modes per round, each a warm-up plus a run, plus start-up and shutdown slack. */
    timeBoundMs: (3 * rounds * (durationSec + warmupSec) + 90) * 1000,
  };
}
