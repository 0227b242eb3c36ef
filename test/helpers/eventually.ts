/**
 * Asks until `done` holds for the answer, or `ms` have passed, and returns the last answer
 * for the test to check: a change reaches another instance or worker asynchronously, in
 * milliseconds, so a test waits for it rather than for a fixed time.
 */
export async function eventually<T>(ask: () => Promise<T>, done: (v: T) => boolean, ms = 5000): Promise<T> {
  const end = Date.now() + ms;
  for (;;) {
    const v = await ask();
    if (done(v) || Date.now() > end) return v;
    await new Promise((r) => setTimeout(r, 20));
  }
}
