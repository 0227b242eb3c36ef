/** Benchmark settings from the environment, checked up front so a typo fails at once. */
import { selectModes } from './modes.mjs';

export function integer(env, name, fallback, min) {
  const raw = env[name];
  if (raw === undefined || raw === '') return fallback;
  const value = Number(raw);
  if (!Number.isSafeInteger(value) || value < min) throw new Error(`${name} must be an integer >= ${min}, got "${raw}"`);
  return value;
}

export function flag(env, name) {
  const raw = env[name];
  if (raw === undefined || raw === '' || raw === '0' || raw === 'false') return false;
  if (raw === '1' || raw === 'true') return true;
  throw new Error(`${name} must be 1/true or 0/false, got "${raw}"`);
}

/** Seconds allowed, besides the measured runs, for the broker and the bare proxy to start and stop. */
const BASE_SLACK_SEC = 60;
/** Seconds allowed per gateway child to start (key and store set-up), stop and flush its audit log. */
const GATEWAY_SLACK_SEC = 20;

/**
 * With BENCH_TWIN_FLAGS, each gateway mode is followed by a twin: the same gateway in a
 * process of its own started with those node options as well, measured right after it in
 * every round, so what a V8 setting costs and saves is compared within one run.
 */
export function withTwins(modes, twinFlags) {
  if (twinFlags.length === 0) return modes;
  return modes.flatMap((m) => (m.kind === 'gateway' ? [m, { ...m, key: `${m.key}+`, label: `${m.label} + ${twinFlags.join(' ')}`, nodeFlags: twinFlags }] : [m]));
}

export function readSettings(env = process.env) {
  const durationSec = integer(env, 'BENCH_DURATION', 8, 1);
  const warmupSec = integer(env, 'BENCH_WARMUP', 2, 0);
  const connections = integer(env, 'BENCH_CONNECTIONS', 16, 1);
  const rounds = integer(env, 'BENCH_ROUNDS', 1, 1);
  const twinFlags = (env.BENCH_TWIN_FLAGS ?? '').split(/\s+/).filter(Boolean);
  const modes = withTwins(selectModes(env.BENCH_MODES), twinFlags);
  const gatewayChildren = modes.filter((m) => m.kind === 'gateway').length;
  const profile = flag(env, 'BENCH_PROFILE');
  return {
    rounds,
    durationSec,
    warmupSec,
    connections,
    modes,
    workers: integer(env, 'BENCH_WORKERS', 1, 1),
    profile,
    jsonOut: env.BENCH_JSON || undefined,
    /** Node options given to each gateway child after the gateway's own (src/app/node-flags.ts), to try one: e.g. `--trace-gc`. */
    gatewayNodeFlags: (env.BENCH_NODE_FLAGS ?? '').split(/\s+/).filter(Boolean),
    twinFlags,
    /** DPoP proofs signed before each run of the DPoP mode (one per request). */
    dpopProofs: integer(env, 'BENCH_DPOP_PROOFS', 100000, 1),
    /** Upstream pool size, the same for the gateway and the bare proxy (the gateway's default). */
    upstreamConnections: 128,
    /** Every mode of every round is a warm-up plus a run; each child needs time to start and stop (longer when writing a CPU profile). */
    timeBoundMs: (modes.length * rounds * (durationSec + warmupSec) + BASE_SLACK_SEC + gatewayChildren * GATEWAY_SLACK_SEC * (profile ? 2 : 1)) * 1000,
  };
}
