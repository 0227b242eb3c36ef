/**
 * The `Link` request header (RFC 8288) as NGSI-LD uses it: at most one link with
 * `rel="http://www.w3.org/ns/json-ld#context"` names the caller's @context. Any other link
 * in a request is refused: some brokers (Orion-LD) take the first URL of a Link header as
 * the context whatever its `rel`, so a second link could make the broker expand names with
 * a context the gateway never read. The gateway forwards only the link it resolved, rebuilt
 * by `contextLinkHeader`.
 */
import { MimtrustError } from '../errors/index.js';
import { BoundedMemo } from '../lib/index.js';
import { isAbsoluteIri } from './iri.js';

export const JSON_LD_CONTEXT_REL = 'http://www.w3.org/ns/json-ld#context';

export interface LinkValue {
  readonly target: string;
  /** Parameter names lower-cased; the first occurrence of a name wins (RFC 8288 §3). */
  readonly params: ReadonlyMap<string, string>;
}

function invalid(): MimtrustError {
  return new MimtrustError('BAD_REQUEST', 'The Link header is malformed.', { reason: 'invalid_link_header' });
}

/** RFC 9110 tchar, as a lookup table over char codes. */
const TOKEN_CHARS = (() => {
  const table = new Uint8Array(128);
  for (const c of "!#$%&'*+-.^_`|~0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz") table[c.charCodeAt(0)] = 1;
  return table;
})();

function isTokenChar(code: number): boolean {
  return code < 128 && TOKEN_CHARS[code] === 1;
}

/** Parses one Link header field value into its link-values. Throws on anything malformed. */
export function parseLinkHeader(field: string): LinkValue[] {
  const links: LinkValue[] = [];
  let i = 0;
  const n = field.length;
  const skipOws = (): void => {
    while (i < n && (field[i] === ' ' || field[i] === '\t')) i++;
  };
  const readToken = (): string => {
    const start = i;
    while (i < n && isTokenChar(field.charCodeAt(i))) i++;
    if (i === start) throw invalid();
    return field.slice(start, i);
  };
  const readQuoted = (): string => {
    i++; // opening quote
    const close = field.indexOf('"', i);
    const escape = field.indexOf('\\', i);
    if (close >= 0 && (escape < 0 || escape > close)) {
      const plain = field.slice(i, close);
      i = close + 1;
      return plain;
    }
    let out = '';
    while (i < n) {
      const c = field[i] as string;
      if (c === '"') { i++; return out; }
      if (c === '\\') {
        i++;
        if (i >= n) throw invalid();
        out += field[i];
      } else {
        out += c;
      }
      i++;
    }
    throw invalid();
  };

  while (i < n) {
    skipOws();
    if (field[i] === ',') { i++; continue; } // empty list elements are allowed in #rules
    if (i >= n) break;
    if (field[i] !== '<') throw invalid();
    const close = field.indexOf('>', i + 1);
    if (close < 0) throw invalid();
    const target = field.slice(i + 1, close).trim();
    if (target === '' || /[\s<]/.test(target)) throw invalid();
    i = close + 1;
    const params = new Map<string, string>();
    for (;;) {
      skipOws();
      if (i >= n || field[i] === ',') break;
      if (field[i] !== ';') throw invalid();
      i++;
      skipOws();
      const name = readToken().toLowerCase();
      skipOws();
      let value = '';
      if (field[i] === '=') {
        i++;
        skipOws();
        value = field[i] === '"' ? readQuoted() : readToken();
      }
      if (!params.has(name)) params.set(name, value);
    }
    links.push({ target, params });
    if (field[i] === ',') i++;
  }
  return links;
}

/** True when a link's `rel` (a space-separated list, compared case-insensitively) names the JSON-LD context. */
function isContextLink(link: LinkValue): boolean {
  const rel = link.params.get('rel');
  if (rel === undefined) return false;
  return rel.toLowerCase().split(/[ \t]+/).includes(JSON_LD_CONTEXT_REL);
}

/** Memo of single header values; NONE stands for "no context link" (a target is never empty). */
const NONE = '';
const MEMO_LIMIT = 1024;
const memo = new BoundedMemo<string, string | MimtrustError>(MEMO_LIMIT);

/**
 * The context URL named by the Link header(s), or undefined when there is none. Header
 * lines given separately (string[]) count together: two context links are refused,
 * whether on one line or two.
 */
export function contextLinkOf(header: string | readonly string[] | undefined): string | undefined {
  if (header === undefined) return undefined;
  if (typeof header !== 'string') return contextLinkOfFields(header);
  // Clients repeat the same header on every request: remember the answer (or the refusal).
  const known = memo.get(header);
  if (known !== undefined) {
    if (known instanceof MimtrustError) throw known;
    return known === NONE ? undefined : known;
  }
  let answer: string | MimtrustError;
  try {
    answer = contextLinkOfFields([header]) ?? NONE;
  } catch (err) {
    if (!(err instanceof MimtrustError)) throw err;
    answer = err;
  }
  memo.set(header, answer);
  if (answer instanceof MimtrustError) throw answer;
  return answer === NONE ? undefined : answer;
}

function contextLinkOfFields(fields: readonly string[]): string | undefined {
  let found: string | undefined;
  for (const field of fields) {
    for (const link of parseLinkHeader(field)) {
      if (!isContextLink(link)) {
        throw new MimtrustError('BAD_REQUEST', 'A request Link header may only name the JSON-LD context.', { reason: 'link_not_context' });
      }
      if (found !== undefined) {
        throw new MimtrustError('BAD_REQUEST', 'Only one JSON-LD context Link header is allowed.', { reason: 'multiple_context_links' });
      }
      if (!isAbsoluteIri(link.target)) throw invalid();
      found = link.target;
    }
  }
  return found;
}

/** The one Link header value the broker receives: the context the gateway resolved. */
export function contextLinkHeader(url: string): string {
  return `<${url}>; rel="${JSON_LD_CONTEXT_REL}"; type="application/ld+json"`;
}
