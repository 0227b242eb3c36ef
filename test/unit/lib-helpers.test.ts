import { describe, expect, it } from 'vitest';
import { isObject } from '../../src/lib/index.js';
import { bearerChallenge } from '../../src/auth/index.js';

describe('isObject', () => {
  it('accepts JSON objects only: not null, arrays, strings or numbers', () => {
    expect([{}, { a: 1 }, Object.create(null)].map(isObject)).toEqual([true, true, true]);
    expect([null, undefined, [], [1], 'x', 1, true].map(isObject)).toEqual([false, false, false, false, false, false, false]);
  });
});

describe('bearerChallenge', () => {
  it('names the realm alone when no token was presented (RFC 6750 §3)', () => {
    expect(bearerChallenge()).toBe('Bearer realm="mimtrust"');
  });

  it('adds the error code and description, keeping the header well formed', () => {
    expect(bearerChallenge('invalid_token', 'The access token has expired.'))
      .toBe('Bearer realm="mimtrust", error="invalid_token", error_description="The access token has expired."');
    expect(bearerChallenge('invalid_request')).toBe('Bearer realm="mimtrust", error="invalid_request"');
    expect(bearerChallenge('invalid_token', 'a "quoted" \\ word')).toBe('Bearer realm="mimtrust", error="invalid_token", error_description="a \\"quoted\\" \\\\ word"');
  });
});
