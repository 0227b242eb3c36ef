import { describe, expect, it } from 'vitest';
import { runSteps, runStepsInSlices, type Steps } from '../../src/lib/index.js';

/** Ten steps of one unit each, logging as they go; returns how many ran. */
function* counting(log: string[]): Steps<number> {
  for (let i = 1; i <= 10; i++) {
    log.push(`step ${i}`);
    yield 1;
  }
  return 10;
}

describe('runSteps', () => {
  it('runs the computation to its end at once', () => {
    const log: string[] = [];
    expect(runSteps(counting(log))).toBe(10);
    expect(log).toHaveLength(10);
  });
});

describe('runStepsInSlices', () => {
  it('gives the event loop a turn after each slice of work, so other callbacks run in between', async () => {
    const log: string[] = [];
    // Queued before the computation starts: it runs at the first turn the computation gives.
    setImmediate(() => log.push('other'));
    const slices: number[] = [];
    const result = await runStepsInSlices(counting(log), 4, () => slices.push(log.length));
    expect(result).toBe(10);
    expect(log.indexOf('other')).toBe(4);
    expect(log.filter((l) => l.startsWith('step'))).toHaveLength(10);
    expect(slices).toEqual([4, 9]);
  });

  it('passes a failure of the computation on', async () => {
    function* failing(): Steps<void> {
      yield 5;
      throw new Error('broken');
    }
    await expect(runStepsInSlices(failing(), 1)).rejects.toThrow('broken');
  });
});
