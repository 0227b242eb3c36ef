/** Lexical helpers for JSON-LD names: keywords, absolute IRIs, compact IRIs. */

/** JSON-LD 1.1 keywords. A term may alias one, but never redefine one. */
export const KEYWORDS: ReadonlySet<string> = new Set([
  '@base', '@container', '@context', '@direction', '@graph', '@id', '@import', '@included',
  '@index', '@json', '@language', '@list', '@nest', '@none', '@prefix', '@propagate',
  '@protected', '@reverse', '@set', '@type', '@value', '@version', '@vocab',
]);

export function isKeyword(s: string): boolean {
  return KEYWORDS.has(s);
}

/** `@` followed by letters only: reserved for future keywords, so ignored (JSON-LD 1.1 §4.1). */
export function hasKeywordForm(s: string): boolean {
  return /^@[a-zA-Z]+$/.test(s);
}

const SCHEME = /^[a-zA-Z][a-zA-Z0-9+.-]*:/;

/** An absolute IRI: a scheme, a colon, and no whitespace. Blank nodes (`_:`) are not IRIs. */
export function isAbsoluteIri(s: string): boolean {
  return SCHEME.test(s) && !s.startsWith('_:') && !/[\s<>"{}|\\^`]/.test(s);
}

export function isBlankNode(s: string): boolean {
  return s.startsWith('_:');
}

/** IRIs ending in a gen-delim can serve as prefixes of compact IRIs (JSON-LD 1.1 prefix flag). */
export function endsWithGenDelim(iri: string): boolean {
  const last = iri.charAt(iri.length - 1);
  return last === '/' || last === '#' || last === ':' || last === '?' || last === '[' || last === ']' || last === '@';
}

/**
 * Splits `prefix:suffix` when the name has the shape of a compact IRI: a colon after the
 * first character. Absolute IRIs with an authority (`suffix` starting with `//`) are not
 * compact IRIs.
 */
export function splitCompactIri(s: string): { prefix: string; suffix: string } | undefined {
  const i = s.indexOf(':');
  if (i <= 0) return undefined;
  const suffix = s.slice(i + 1);
  if (suffix.startsWith('//')) return undefined;
  return { prefix: s.slice(0, i), suffix };
}

export { isObject as isPlainObject } from '../lib/index.js';
