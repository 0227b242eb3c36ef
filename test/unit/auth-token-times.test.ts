import { describe, it, expect } from 'vitest';
import { checkTokenTimes } from '../../src/auth/token-times.js';
import { MimtrustError } from '../../src/errors/index.js';

const NOW = 1_800_000_000;
const limits = { clockToleranceSec: 30, maxLifetimeSec: 3600 };

function reason(claims: Record<string, unknown>): string | undefined {
  try {
    checkTokenTimes(claims, NOW, limits);
    return undefined;
  } catch (err) {
    expect(err).toBeInstanceOf(MimtrustError);
    return (err as MimtrustError).reason;
  }
}

describe('token times', () => {
  it('accepts iat within the skew and a lifetime up to the maximum', () => {
    expect(reason({ iat: NOW + 30, exp: NOW + 30 + 3600 })).toBeUndefined();
    expect(reason({ exp: NOW + 3600 })).toBeUndefined();
  });

  it('refuses iat beyond the skew', () => {
    expect(reason({ iat: NOW + 31, exp: NOW + 100 })).toBe('token_issued_in_future');
  });

  it('measures the lifetime from iat, or from now without one', () => {
    expect(reason({ iat: NOW - 10, exp: NOW + 3591 })).toBe('token_lifetime_too_long');
    expect(reason({ exp: NOW + 3601 })).toBe('token_lifetime_too_long');
  });

  it('refuses a non-numeric iat', () => {
    expect(reason({ iat: 'yesterday', exp: NOW + 10 })).toBe('token_claim_invalid');
  });
});
