import { describe, expect, it } from 'vitest';
import { isoTime } from '../../src/gateway/stages/audit.js';

describe('isoTime (the time of an audit record, hashed into it)', () => {
  it('writes exactly what Date.prototype.toISOString writes', () => {
    const times = [0, 1, 999, 1000, 59_999, 86_399_999, 86_400_000, 951_782_400_000, 951_868_799_999, 4_107_542_400_000, 253_402_300_799_999, Date.now()];
    // Random times across the whole range, and runs of neighbours that share a day.
    for (let i = 0; i < 20_000; i++) times.push(Math.floor(Math.random() * 253_402_300_800_000));
    const start = Date.now() - 3 * 86_400_000;
    for (let i = 0; i < 20_000; i++) times.push(start + i * 17_777);
    for (const ms of times) expect(isoTime(ms), String(ms)).toBe(new Date(ms).toISOString());
  });

  it('leaves times it does not format itself to toISOString, which writes other forms for them', () => {
    for (const ms of [-1, -62_198_755_200_000, 253_402_300_800_000, 8.64e15, 1.5, 1_700_000_000_000.7]) {
      expect(isoTime(ms)).toBe(new Date(ms).toISOString());
    }
    expect(() => isoTime(Number.NaN)).toThrow(RangeError);
  });
});
