/**
 * JSON.parse with a bound on nesting. The parser itself copes with deep input, but the
 * code that walks a parsed body afterwards (classification, canonical JSON, serialising it
 * again for the broker) recurses, and a body of a hundred thousand `[` would overflow the
 * stack there. One linear pass over the text finds the depth before anything is built.
 */

import { CodedError } from '../errors/index.js';

/** Deeper than any NGSI-LD payload (an entity with nested properties and GeoJSON is under 10). */
export const MAX_JSON_DEPTH = 64;

export class JsonTooDeepError extends CodedError<'ERR_JSON_TOO_DEEP'> {
  readonly code = 'ERR_JSON_TOO_DEEP';
  constructor(readonly maxDepth: number) {
    super(`JSON nested deeper than ${maxDepth} levels`);
    this.name = 'JsonTooDeepError';
  }
}

const QUOTE = 0x22;
const BACKSLASH = 0x5c;
const OPEN_ARRAY = 0x5b;
const OPEN_OBJECT = 0x7b;
const CLOSE_ARRAY = 0x5d;
const CLOSE_OBJECT = 0x7d;

/** The deepest nesting of arrays and objects in `text`, stopping early once past `limit`. */
export function jsonDepth(text: string, limit = Number.POSITIVE_INFINITY): number {
  let depth = 0;
  let deepest = 0;
  let inString = false;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (inString) {
      if (c === BACKSLASH) i++;
      else if (c === QUOTE) inString = false;
    } else if (c === QUOTE) {
      inString = true;
    } else if (c === OPEN_ARRAY || c === OPEN_OBJECT) {
      if (++depth > deepest) {
        deepest = depth;
        if (deepest > limit) return deepest;
      }
    } else if (c === CLOSE_ARRAY || c === CLOSE_OBJECT) {
      depth--;
    }
  }
  return deepest;
}

/**
 * Parses JSON nested at most `maxDepth` arrays/objects deep. Throws JsonTooDeepError for
 * deeper input and SyntaxError for invalid JSON.
 */
export function parseJson(text: string, maxDepth = MAX_JSON_DEPTH): unknown {
  if (jsonDepth(text, maxDepth) > maxDepth) throw new JsonTooDeepError(maxDepth);
  return JSON.parse(text) as unknown;
}
