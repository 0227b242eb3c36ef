import { describe, expect, it } from 'vitest';
import { jsonPointer, jsonPointerPosition, pointerPath } from '../../src/lib/index.js';

describe('jsonPointer', () => {
  it('escapes ~ and / as RFC 6901 says, and reads them back', () => {
    expect(jsonPointer(['permission', 0, 'a/b', 'c~d'])).toBe('/permission/0/a~1b/c~0d');
    expect(pointerPath('/permission/0/a~1b/c~0d')).toEqual(['permission', '0', 'a/b', 'c~d']);
    expect(pointerPath('')).toEqual([]);
  });
});

describe('jsonPointerPosition', () => {
  const text = [
    '{',
    '  "s": "a \\" { [ , } ]",',
    '  "a": [1, {"b": "x"}, [2, [3]]],',
    '  "c/d": {"e~f": null, "g": -1.5e3},',
    '  "a": [9, "é", {"z": true}]',
    '}',
  ].join('\n');

  it('finds the value a pointer addresses, and its member name, by line and column', () => {
    expect(jsonPointerPosition(text, '')).toEqual({ value: { line: 1, column: 1 }, exact: true });
    expect(jsonPointerPosition(text, '/s')).toEqual({ value: { line: 2, column: 8 }, key: { line: 2, column: 3 }, exact: true });
    expect(jsonPointerPosition(text, '/c~1d/e~0f')).toEqual({ value: { line: 4, column: 18 }, key: { line: 4, column: 11 }, exact: true });
    expect(jsonPointerPosition(text, '/c~1d/g').value).toEqual({ line: 4, column: 29 });
  });

  it('walks past strings holding brackets and nested arrays; a repeated member is the last one, as JSON.parse keeps it', () => {
    expect(jsonPointerPosition(text, '/a/2/z')).toEqual({ value: { line: 5, column: 23 }, key: { line: 5, column: 18 }, exact: true });
    expect(jsonPointerPosition(text, '/a/1').value).toEqual({ line: 5, column: 12 });
  });

  it('stops at the deepest value on the way when the pointer leads nowhere', () => {
    expect(jsonPointerPosition(text, '/c~1d/missing/x')).toEqual({ value: { line: 4, column: 10 }, key: { line: 4, column: 3 }, exact: false });
    expect(jsonPointerPosition(text, '/a/7').exact).toBe(false);
    expect(jsonPointerPosition(text, '/s/0').value).toEqual({ line: 2, column: 8 });
  });

  it('reads JSON-LD as written: a byte order mark, CRLF lines, empty containers', () => {
    const ld = '\ufeff{\r\n  "@context": [],\r\n  "x": {},\r\n  "y": [ ]\r\n}';
    expect(jsonPointerPosition(ld, '/y').value).toEqual({ line: 4, column: 8 });
    expect(jsonPointerPosition(ld, '/x/k').exact).toBe(false);
    expect(jsonPointerPosition(ld, '/@context/0').exact).toBe(false);
  });

  it('agrees with JSON.parse on every scalar of a generated document', () => {
    const doc = { p: [{ u: 'r1', t: { ref: [{ l: 'a', o: 'isAnyOf', r: ['x', 'y\n"z'] }] } }, 3, [true, null]], q: { 'k/~': -0.25 } };
    const pretty = JSON.stringify(doc, null, 2);
    const lines = pretty.split('\n');
    const walk = (v: unknown, path: Array<string | number>): void => {
      if (v !== null && typeof v === 'object') {
        for (const [k, x] of Object.entries(v)) walk(x, [...path, Array.isArray(v) ? Number(k) : k]);
        return;
      }
      const at = jsonPointerPosition(pretty, jsonPointer(path));
      expect(at.exact).toBe(true);
      const rest = lines[at.value.line - 1]!.slice(at.value.column - 1);
      expect(rest.startsWith(JSON.stringify(v))).toBe(true);
    };
    walk(doc, []);
  });
});
