/**
 * Where JSON text stops being valid, as a line and column, for errors about files. The
 * engine's own SyntaxError message quotes the text around the fault ("root:x:0:0:..." is
 * not valid JSON), which must not reach an error message when the file could hold anything;
 * this scanner reports the position alone. It only runs after JSON.parse has failed.
 */

export interface TextPosition {
  /** 1-based. */
  line: number;
  /** 1-based, in UTF-16 code units. */
  column: number;
}

const WHITESPACE = new Set([0x20, 0x09, 0x0a, 0x0d]);
const ESCAPES = new Set([...'"\\/bfnrt'].map((c) => c.charCodeAt(0)));
const isDigit = (c: number): boolean => c >= 0x30 && c <= 0x39;
const isHex = (c: number): boolean => isDigit(c) || (c >= 0x41 && c <= 0x46) || (c >= 0x61 && c <= 0x66);

/** Nesting past this is reported as the fault, so the scan cannot exhaust the stack. */
const MAX_DEPTH = 512;

/** The offset of the first fault in `text`, or -1 when it is valid JSON. */
export function jsonErrorOffset(text: string): number {
  let i = 0;
  let depth = 0;
  const at = (): number => (i < text.length ? text.charCodeAt(i) : -1);
  const skipSpace = (): void => {
    while (WHITESPACE.has(at())) i++;
  };
  // Each reader advances `i` past what it read and returns false at the first fault, with `i` on it.
  const literal = (word: string): boolean => {
    for (const ch of word) {
      if (at() !== ch.charCodeAt(0)) return false;
      i++;
    }
    return true;
  };
  const digits = (): boolean => {
    if (!isDigit(at())) return false;
    while (isDigit(at())) i++;
    return true;
  };
  const number = (): boolean => {
    if (at() === 0x2d) i++;
    if (at() === 0x30) i++;
    else if (!digits()) return false;
    if (at() === 0x2e) {
      i++;
      if (!digits()) return false;
    }
    if (at() === 0x65 || at() === 0x45) {
      i++;
      if (at() === 0x2b || at() === 0x2d) i++;
      if (!digits()) return false;
    }
    return true;
  };
  const string = (): boolean => {
    if (at() !== 0x22) return false;
    i++;
    for (;;) {
      const c = at();
      if (c === -1 || c < 0x20) return false;
      if (c === 0x22) {
        i++;
        return true;
      }
      if (c !== 0x5c) {
        i++;
        continue;
      }
      i++;
      if (at() === 0x75) {
        i++;
        for (let k = 0; k < 4; k++, i++) if (!isHex(at())) return false;
      } else if (ESCAPES.has(at())) {
        i++;
      } else {
        return false;
      }
    }
  };
  const members = (close: number, member: () => boolean): boolean => {
    if (++depth > MAX_DEPTH) return false;
    i++;
    skipSpace();
    if (at() === close) {
      i++;
      depth--;
      return true;
    }
    for (;;) {
      if (!member()) return false;
      skipSpace();
      if (at() === close) {
        i++;
        depth--;
        return true;
      }
      if (at() !== 0x2c) return false;
      i++;
      skipSpace();
    }
  };
  const value = (): boolean => {
    skipSpace();
    switch (at()) {
      case 0x7b:
        return members(0x7d, () => {
          if (!string()) return false;
          skipSpace();
          if (at() !== 0x3a) return false;
          i++;
          return value();
        });
      case 0x5b:
        return members(0x5d, value);
      case 0x22: return string();
      case 0x74: return literal('true');
      case 0x66: return literal('false');
      case 0x6e: return literal('null');
      default: return number();
    }
  };
  if (!value()) return i;
  skipSpace();
  return i < text.length ? i : -1;
}

/** The line and column of the first fault in `text`; undefined when it is valid JSON. */
export function jsonErrorPosition(text: string): TextPosition | undefined {
  const offset = jsonErrorOffset(text);
  return offset < 0 ? undefined : positionAt(text, offset);
}

/** The line and column of a character offset in `text`. */
export function positionAt(text: string, offset: number): TextPosition {
  let line = 1;
  let lineStart = 0;
  for (let k = 0; k < offset; k++) {
    if (text.charCodeAt(k) === 0x0a) {
      line++;
      lineStart = k + 1;
    }
  }
  return { line, column: offset - lineStart + 1 };
}
