import { describe, expect, it } from 'vitest';
import { jsonErrorOffset, jsonErrorPosition } from '../../src/lib/index.js';

describe('jsonErrorPosition', () => {
  it('finds valid JSON valid', () => {
    for (const text of ['{}', ' [1, -2.5e+3, "a\\u00e9\\n", true, false, null, {"k": [{}]}] ', '"x"', '0', '-0.1E2']) {
      expect(jsonErrorPosition(text)).toBeUndefined();
    }
  });

  it('names the line and column of the fault, never the text', () => {
    expect(jsonErrorPosition('root:x:0:0:root:/root:/bin/bash')).toEqual({ line: 1, column: 1 });
    expect(jsonErrorPosition('{\n  "uid": "a",\n  "x": tru\n}')).toEqual({ line: 3, column: 11 });
    expect(jsonErrorPosition('{ "uid": "urn:test:broken", ')).toEqual({ line: 1, column: 29 });
    expect(jsonErrorPosition('[1, 2,]')).toEqual({ line: 1, column: 7 });
    expect(jsonErrorPosition('{"a": 1} x')).toEqual({ line: 1, column: 10 });
    expect(jsonErrorPosition('"tab\there"')).toEqual({ line: 1, column: 5 });
    expect(jsonErrorPosition('01')).toEqual({ line: 1, column: 2 });
    expect(jsonErrorPosition('"\\x"')).toEqual({ line: 1, column: 3 });
    expect(jsonErrorPosition('')).toEqual({ line: 1, column: 1 });
  });

  it('stops at a nesting depth that would exhaust the stack', () => {
    expect(jsonErrorOffset('['.repeat(100_000))).toBe(512);
  });

  it('agrees with JSON.parse on which texts are valid, over many mutations of a contract', () => {
    const base = JSON.stringify({ '@context': ['http://www.w3.org/ns/odrl.jsonld'], uid: 'urn:c:1', n: [1.5, -2e3, true, null], s: 'a\\"b\u00e9' }, null, 1);
    const pieces = ['', '{', '}', '[', ']', ',', ':', '"', '\\', 'e', '-', '.', '0', ' ', 'x', '\u0001', 'u'];
    let seed = 7;
    const random = (n: number): number => {
      seed = (seed * 1103515245 + 12345) % 2147483648;
      return seed % n;
    };
    for (let k = 0; k < 3000; k++) {
      const at = random(base.length + 1);
      const cut = random(3);
      const text = base.slice(0, at) + (pieces[random(pieces.length)] ?? '') + base.slice(at + cut);
      let valid = true;
      try {
        JSON.parse(text);
      } catch {
        valid = false;
      }
      expect(jsonErrorOffset(text) === -1, text).toBe(valid);
    }
  });
});
