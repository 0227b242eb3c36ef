import { describe, expect, it } from 'vitest';
import { addDuration, parseDuration } from '../../src/contracts/values.js';

const at = (iso: string): number => Date.parse(iso);
const plus = (iso: string, duration: string): string => {
  const d = parseDuration(duration);
  if (!d) throw new Error(`bad duration ${duration}`);
  return new Date(addDuration(at(iso), d)).toISOString();
};

describe('durations added as XML Schema adds them', () => {
  it('pins a day past the end of the new month to its last day', () => {
    expect(plus('2025-01-31T10:00:00.000Z', 'P1M')).toBe('2025-02-28T10:00:00.000Z');
    expect(plus('2024-01-31T10:00:00.000Z', 'P1M')).toBe('2024-02-29T10:00:00.000Z');
    expect(plus('2025-03-31T00:00:00.000Z', 'P1M')).toBe('2025-04-30T00:00:00.000Z');
    expect(plus('2024-02-29T12:00:00.000Z', 'P1Y')).toBe('2025-02-28T12:00:00.000Z');
  });

  it('carries months into years, forwards', () => {
    expect(plus('2025-11-30T00:00:00.000Z', 'P3M')).toBe('2026-02-28T00:00:00.000Z');
    expect(plus('2025-05-15T08:30:00.000Z', 'P1Y2M')).toBe('2026-07-15T08:30:00.000Z');
  });

  it('adds days and times after the months, as elapsed time', () => {
    expect(plus('2025-01-31T00:00:00.000Z', 'P1M1D')).toBe('2025-03-01T00:00:00.000Z');
    expect(plus('2025-01-01T23:00:00.000Z', 'PT2H')).toBe('2025-01-02T01:00:00.000Z');
    expect(plus('2025-01-01T00:00:00.000Z', 'P2W')).toBe('2025-01-15T00:00:00.000Z');
  });
});
