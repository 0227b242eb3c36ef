/**
 * JSON Pointers (RFC 6901) and where the value one addresses starts in the JSON text it
 * was parsed from, so a problem found in a parsed document can be shown at its line and
 * column. The walk reads only what lies on the pointer's way and skips everything else
 * without building it; it expects text that JSON.parse accepted.
 */
import { positionAt, type TextPosition } from './json-error-position.js';

export type PointerSegment = string | number;

/** The pointer of a path: `['permission', 0, 'target']` is `/permission/0/target`. */
export function jsonPointer(path: readonly PointerSegment[]): string {
  return path.map((s) => `/${String(s).replace(/~/g, '~0').replace(/\//g, '~1')}`).join('');
}

/** The path of a pointer; `''` is the whole document. */
export function pointerPath(pointer: string): string[] {
  if (pointer === '') return [];
  return pointer.slice(1).split('/').map((s) => s.replace(/~1/g, '/').replace(/~0/g, '~'));
}

export interface PointerPosition {
  /** Where the value starts. */
  value: TextPosition;
  /** Where its member name starts, when the value is an object member. */
  key?: TextPosition;
  /** False when the walk stopped short of the pointer (a member or index the text lacks): the positions are the deepest reached. */
  exact: boolean;
}

const SPACE = new Set([0x20, 0x09, 0x0a, 0x0d, 0xfeff]);

/**
 * Where the value at `pointer` starts in `text`. When a member occurs twice the last one
 * counts, as JSON.parse keeps it. When the pointer leads nowhere, the deepest value on its
 * way is given with `exact: false`.
 */
export function jsonPointerPosition(text: string, pointer: string): PointerPosition {
  let i = 0;
  const skipSpace = (): void => {
    while (i < text.length && SPACE.has(text.charCodeAt(i))) i++;
  };
  /** From an opening quote to just past the closing one. */
  const skipString = (): void => {
    for (i++; i < text.length; i++) {
      const c = text.charCodeAt(i);
      if (c === 0x5c) i++;
      else if (c === 0x22) { i++; return; }
    }
  };
  const skipValue = (): void => {
    skipSpace();
    const c = text.charCodeAt(i);
    if (c === 0x22) return skipString();
    if (c === 0x7b || c === 0x5b) {
      // Nesting is counted, not recursed into: strings are the only place a bracket can hide.
      let depth = 0;
      for (; i < text.length; i++) {
        const d = text.charCodeAt(i);
        if (d === 0x22) { skipString(); i--; continue; }
        if (d === 0x7b || d === 0x5b) depth++;
        else if (d === 0x7d || d === 0x5d) {
          if (--depth === 0) { i++; return; }
        }
      }
      return;
    }
    while (i < text.length && !SPACE.has(text.charCodeAt(i)) && ![0x2c, 0x7d, 0x5d].includes(text.charCodeAt(i))) i++;
  };
  /** Past the separator after a member or element; true when the container closed. */
  const next = (): boolean => {
    skipSpace();
    const c = text.charCodeAt(i);
    i++;
    return c !== 0x2c;
  };

  skipSpace();
  let valueAt = i;
  let keyAt: number | undefined;
  let exact = true;
  for (const segment of pointerPath(pointer)) {
    i = valueAt;
    const open = text.charCodeAt(i);
    let found: { value: number; key?: number } | undefined;
    if (open === 0x7b) {
      i++;
      skipSpace();
      if (text.charCodeAt(i) !== 0x7d) {
        for (;;) {
          skipSpace();
          const keyStart = i;
          skipString();
          const name = JSON.parse(text.slice(keyStart, i)) as string;
          skipSpace();
          i++; // the colon
          skipSpace();
          if (name === segment) found = { value: i, key: keyStart };
          skipValue();
          if (next()) break;
        }
      }
    } else if (open === 0x5b && /^(0|[1-9]\d*)$/.test(segment)) {
      const index = Number(segment);
      i++;
      skipSpace();
      if (text.charCodeAt(i) !== 0x5d) {
        for (let k = 0; ; k++) {
          skipSpace();
          if (k === index) { found = { value: i }; break; }
          skipValue();
          if (next()) break;
        }
      }
    }
    if (found === undefined) {
      exact = false;
      break;
    }
    valueAt = found.value;
    keyAt = found.key;
  }
  return {
    value: positionAt(text, valueAt),
    ...(keyAt !== undefined ? { key: positionAt(text, keyAt) } : {}),
    exact,
  };
}
