/**
 * The name a worker goes by in the shared store: its audit chain segment and its name on
 * the change feed (which does not hand an instance its own events). Workers of one
 * instance are told apart by their slot, so each appends to its own chain and hears the
 * changes the others make.
 */
export function workerSegment(instance: string, slot: number): string {
  return `${instance}.w${slot}`;
}
