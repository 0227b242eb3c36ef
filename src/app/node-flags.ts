/**
 * The V8 settings a gateway process runs with (README, "Memory per process").
 *
 * `--max-semi-space-size=8`, given on the command line: each request makes short-lived
 * objects in V8's young generation, whose two semi-spaces Node lets grow to 16 MB each on
 * a 64-bit machine: a busy gateway fills them once and keeps them resident. Smaller
 * spaces are scavenged more often, and under load more of each scavenge is requests still
 * waiting for their audit record: at 4 MB the main thread's GC pauses were 25 to 50 µs per
 * response more than at 8 (CPU per response 5 to 17% more), at 16 no less than at 8 for
 * 15 MB more at peak. With the two run-time settings below, 8 MB peaks 5 to 10 MB above 4.
 */
export const GATEWAY_NODE_FLAGS: readonly string[] = ['--max-semi-space-size=8'];

/**
 * Settings V8 reads while it runs, so the gateway sets them itself when it starts,
 * however its process was started (NODE_OPTIONS refuses them).
 *
 * `--heap-growing-percent=50`: after a full collection V8 lets the old generation grow to
 * two or three times what survived before it collects again; a gateway's live heap is
 * about 31 MB, and all it adds under load is dead requests, so it peaked at 75 to 100 MB.
 * At 50% a full collection comes once the heap is half as large again as it was live:
 * under load one every few seconds, each about 20 to 70 ms of marking (README, "Memory
 * per process").
 *
 * `--no-allocation-site-pretenuring`: a request's objects live as long as the request,
 * which under load (its response waits for its audit record) spans a scavenge. V8 then
 * finds nearly every object of some allocation sites alive at a scavenge, and from then
 * on allocates what those sites make straight in the old generation; the young objects
 * they point to are kept past every later scavenge, so most of each request becomes old
 * garbage (its buffers malloc memory). Without pretenuring, an object that outlives a
 * scavenge is copied once more, and about half as much of each request reaches the old
 * generation, so full collections come half as often.
 */
export const GATEWAY_RUNTIME_FLAGS: readonly string[] = ['--heap-growing-percent=50', '--no-allocation-site-pretenuring'];

/**
 * The V8 flag an option sets: `--max_semi_space_size=8` and `--max-semi-space-size` name
 * the same one, and so do `--no-allocation-site-pretenuring` and `--allocation-site-pretenuring`.
 */
function flagName(arg: string): string {
  return arg.split('=')[0]!.replace(/_/g, '-').replace(/^--no-/, '--');
}

/** Of `flags`, those the operator has not set on the command line or in NODE_OPTIONS. */
function notGiven(flags: readonly string[], execArgv: readonly string[], nodeOptions: string | undefined): string[] {
  const given = new Set([...execArgv, ...(nodeOptions ?? '').split(/\s+/)].filter((a) => a.startsWith('--')).map(flagName));
  return flags.filter((f) => !given.has(flagName(f)));
}

/**
 * The node options a worker is forked with: the primary's own, plus each of
 * GATEWAY_NODE_FLAGS the operator has not set on the command line or in NODE_OPTIONS
 * (which a worker inherits, and which the command line would override).
 */
export function gatewayExecArgv(execArgv: readonly string[], nodeOptions: string | undefined): string[] {
  return [...execArgv, ...notGiven(GATEWAY_NODE_FLAGS, execArgv, nodeOptions)];
}

/**
 * Sets each of GATEWAY_RUNTIME_FLAGS the operator has not set either way, through `set`
 * (v8.setFlagsFromString); returns those it set.
 */
export function applyRuntimeFlags(execArgv: readonly string[], nodeOptions: string | undefined, set: (flag: string) => void): string[] {
  const flags = notGiven(GATEWAY_RUNTIME_FLAGS, execArgv, nodeOptions);
  for (const f of flags) set(f);
  return flags;
}
