/**
 * Query-string parsing. Each parameter may appear once (brokers disagree on which of two
 * copies wins), must be known to the operation, and is forwarded re-encoded from its
 * decoded value, sorted by name: the forwarded query is exactly the one that was checked.
 * '+' is an ordinary character here (RFC 3986), not a space; it is forwarded as %2B.
 */
import { MimtrustError } from '../errors/index.js';
import { decodeStrict, encodeComponent } from './percent.js';

export interface ParsedQuery {
  /** Decoded parameters sorted by name. */
  entries: Array<readonly [string, string]>;
  params: ReadonlyMap<string, string>;
  /** '' or '?' + the canonical encoding of `entries`. */
  search: string;
}

const EMPTY: ParsedQuery = { entries: [], params: new Map(), search: '' };

function decodeOrRefuse(raw: string): string {
  const s = decodeStrict(raw);
  if (s === undefined) {
    throw new MimtrustError('BAD_REQUEST', 'The query string is not validly percent-encoded.', { reason: 'query_not_canonical' });
  }
  return s;
}

export function parseQuery(rawQuery: string, known: ReadonlySet<string>): ParsedQuery {
  if (rawQuery === '') return EMPTY;
  const params = new Map<string, string>();
  for (const piece of rawQuery.split('&')) {
    // Empty pieces ('a=1&&b=2', a trailing '&') carry nothing and are not forwarded.
    if (piece === '') continue;
    const eq = piece.indexOf('=');
    const name = decodeOrRefuse(eq === -1 ? piece : piece.slice(0, eq));
    const value = eq === -1 ? '' : decodeOrRefuse(piece.slice(eq + 1));
    if (!known.has(name)) {
      throw new MimtrustError('BAD_REQUEST', 'A query parameter is not supported for this operation.', { reason: 'unknown_parameter' });
    }
    if (params.has(name)) {
      throw new MimtrustError('BAD_REQUEST', 'A query parameter is given more than once.', { reason: 'repeated_parameter' });
    }
    params.set(name, value);
  }
  if (params.size === 0) return EMPTY;
  const entries = [...params].sort((a, b) => (a[0] < b[0] ? -1 : 1));
  return { entries, params, search: canonicalSearch(entries) };
}

/** `?a=1&b=2` from entries already in canonical (name) order, each part percent-encoded. */
export function canonicalSearch(entries: ReadonlyArray<readonly [string, string]>): string {
  let search = '';
  for (const [n, v] of entries) search += (search === '' ? '?' : '&') + encodeComponent(n) + '=' + encodeComponent(v);
  return search;
}
