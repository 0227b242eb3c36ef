/**
 * Removes what the issuer keeps once it has expired (sessions, codes, tokens, failed
 * logins), at the start and then every `everyMs`: a batch of rows per statement, batch
 * after batch while they come back full, so a backlog never becomes one long transaction
 * and a stop waits for at most one batch. Each instance sweeps; they take different rows.
 */
export const SWEEP_BATCH = 1000;

export function sweepEvery(sweep: (limit: number) => Promise<number>, everyMs: number, onError: (err: unknown) => void): () => Promise<void> {
  let stopped = false;
  let running: Promise<void> = Promise.resolve();
  const round = async (): Promise<void> => {
    try {
      while (!stopped && await sweep(SWEEP_BATCH) === SWEEP_BATCH);
    } catch (err) {
      if (!stopped) onError(err);
    }
  };
  const run = (): void => {
    running = running.then(round);
  };
  run();
  const timer = setInterval(run, everyMs);
  timer.unref();
  return async () => {
    stopped = true;
    clearInterval(timer);
    await running;
  };
}
