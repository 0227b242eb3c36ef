/**
 * The name a worker goes by in the shared store: its audit chain segment and its name on
 * the change feed (which does not hand an instance its own events). Workers of one
 * instance are told apart by their slot, so each appends to its own chain and hears the
 * changes the others make. Pure, so `audit verify` can read segment names back without
 * loading the gateway.
 */
export function workerSegment(instance: string, slot: number): string {
  return `${instance}.w${slot}`;
}

/** The slot of a worker of `instance` whose segment this is, or undefined when it is not one. */
export function workerOfSegment(instance: string, segment: string): number | undefined {
  const prefix = `${instance}.w`;
  if (!segment.startsWith(prefix)) return undefined;
  const slot = segment.slice(prefix.length);
  return /^(0|[1-9]\d{0,5})$/.test(slot) ? Number(slot) : undefined;
}
