import { expect } from 'vitest';
import { MimtrustError } from '../../src/errors/index.js';

/** Runs fn, expects a 400 MimtrustError, and gives its reason code. */
export function badRequestReason(fn: () => unknown): string {
  try {
    fn();
  } catch (err) {
    expect(err).toBeInstanceOf(MimtrustError);
    expect((err as MimtrustError).code).toBe('BAD_REQUEST');
    return (err as MimtrustError).reason;
  }
  throw new Error('expected a refusal');
}

/** Awaits p, expects it to reject with a MimtrustError, and gives that error. */
export async function refusal(p: unknown): Promise<MimtrustError> {
  try {
    await p;
  } catch (err) {
    expect(err).toBeInstanceOf(MimtrustError);
    return err as MimtrustError;
  }
  throw new Error('expected a refusal');
}
