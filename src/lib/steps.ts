/**
 * Long computations written once, as a generator that yields how much work it has just
 * done, and run either straight through (`runSteps`) or in slices that give the event
 * loop a turn between them (`runStepsInSlices`). Slices are measured in the work units the
 * computation reports, not in time, so where the turns fall depends only on the input.
 */
import { setImmediate as nextTurn } from 'node:timers/promises';

/** A computation that yields units of work done since its last yield and returns T. */
export type Steps<T> = Generator<number, T, void>;

/** Runs the computation to its end without giving the event loop a turn. */
export function runSteps<T>(steps: Steps<T>): T {
  for (;;) {
    const next = steps.next();
    if (next.done === true) return next.value;
  }
}

/**
 * Runs the computation, giving the event loop a turn (`setImmediate`: pending I/O is
 * served before the next slice) each time at least `sliceUnits` units were done since the
 * last turn. `onSlice` is called before each turn.
 */
export async function runStepsInSlices<T>(steps: Steps<T>, sliceUnits: number, onSlice?: () => void): Promise<T> {
  let done = 0;
  for (;;) {
    const next = steps.next();
    if (next.done === true) return next.value;
    done += next.value;
    if (done >= sliceUnits) {
      done = 0;
      onSlice?.();
      await nextTurn();
    }
  }
}
