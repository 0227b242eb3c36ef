/**
 * The V8 settings a gateway process runs with. Each request makes short-lived objects in
 * V8's young generation, whose two semi-spaces Node lets grow to 16 MB each on a 64-bit
 * machine: a busy gateway fills them once and keeps them resident, about 20 MB of its
 * idle memory and more under load. At 4 MB they are scavenged more often, each scavenge
 * as cheap (its cost follows what survives, not the space's size): about 25 µs more GC
 * time per response (4%) for 12 to 52 MB less at peak in the runs it was chosen on; at
 * 2 MB full collections began under load (README, "Memory per process").
 */
export const GATEWAY_NODE_FLAGS: readonly string[] = ['--max-semi-space-size=4'];

/** `--max_semi_space_size=8` and `--max-semi-space-size` name the same V8 flag. */
function flagName(arg: string): string {
  return arg.split('=')[0]!.replace(/_/g, '-');
}

/**
 * The node options a worker is forked with: the primary's own, plus each of
 * GATEWAY_NODE_FLAGS the operator has not set on the command line or in NODE_OPTIONS
 * (which a worker inherits, and which the command line would override).
 */
export function gatewayExecArgv(execArgv: readonly string[], nodeOptions: string | undefined): string[] {
  const given = new Set([...execArgv, ...(nodeOptions ?? '').split(/\s+/)].filter((a) => a.startsWith('--')).map(flagName));
  return [...execArgv, ...GATEWAY_NODE_FLAGS.filter((f) => !given.has(flagName(f)))];
}
