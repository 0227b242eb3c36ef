import { describe, it, expect } from 'vitest';
import { jsonDepth, parseJson, JsonTooDeepError } from '../../src/lib/index.js';

describe('bounded-depth JSON', () => {
  it('measures nesting of arrays and objects, ignoring brackets in strings and escaped quotes', () => {
    expect(jsonDepth('1')).toBe(0);
    expect(jsonDepth('{"a":[1,{"b":[]}]}')).toBe(4);
    expect(jsonDepth('["[[[[", "\\"[[[", {}]')).toBe(2);
    expect(jsonDepth('"\\\\"')).toBe(0);
  });

  it('parses up to the limit and refuses one level more', () => {
    expect(parseJson('[[[1]]]', 3)).toEqual([[[1]]]);
    expect(() => parseJson('[[[[1]]]]', 3)).toThrow(JsonTooDeepError);
  });

  it('refuses 100 000 open brackets without building anything, and invalid JSON as a SyntaxError', () => {
    expect(() => parseJson('['.repeat(100_000))).toThrow(JsonTooDeepError);
    expect(() => parseJson('{"a":')).toThrow(SyntaxError);
  });
});
