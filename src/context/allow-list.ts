/**
 * Which remote @context URLs may be fetched. Entries are URL prefixes compared on the
 * parsed URL: same scheme, host and port, and a path inside the entry's path on a segment
 * boundary. So `https://allowed.example` does not admit `https://allowed.example.evil.com`,
 * and `https://host/ctx` does not admit `https://host/ctx-evil` or `https://host/ctx/../x`.
 */
import { MimtrustError } from '../errors/index.js';

type Entry =
  /** An entry with a query string admits exactly that URL. */
  | { readonly kind: 'exact'; readonly origin: string; readonly href: string }
  /** Otherwise: the entry's path itself, or anything below it. */
  | { readonly kind: 'prefix'; readonly origin: string; readonly path: string; readonly below: string };

export type UrlAllowList = (url: string) => boolean;

/** Parses a URL the way the allow-list and the fetcher see it; undefined when not a plain http(s) URL. */
export function parseContextUrl(url: string): URL | undefined {
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    return undefined;
  }
  if (parsed.protocol !== 'https:' && parsed.protocol !== 'http:') return undefined;
  if (parsed.username !== '' || parsed.password !== '') return undefined;
  // Encoded separators survive URL normalisation and are decoded by some servers: not admitted.
  if (/%2f|%5c/i.test(parsed.pathname) || parsed.pathname.includes('\\')) return undefined;
  parsed.hash = '';
  return parsed;
}

function toEntry(raw: string): Entry {
  const url = parseContextUrl(raw);
  if (url === undefined) {
    throw new MimtrustError('INTERNAL', 'A context allow-list entry is not an http(s) URL.', { reason: 'invalid_context_allow_list' });
  }
  if (url.search !== '') return { kind: 'exact', origin: url.origin, href: url.href };
  const path = url.pathname;
  return { kind: 'prefix', origin: url.origin, path, below: path.endsWith('/') ? path : `${path}/` };
}

function admits(entry: Entry, url: URL): boolean {
  if (entry.kind === 'exact') return url.href === entry.href;
  return url.pathname === entry.path || url.pathname.startsWith(entry.below);
}

/** Compiles the allow-list once; the returned predicate parses the candidate URL and compares. */
export function compileAllowList(entries: readonly string[]): UrlAllowList {
  const byOrigin = new Map<string, Entry[]>();
  for (const raw of entries) {
    const entry = toEntry(raw);
    const list = byOrigin.get(entry.origin);
    if (list === undefined) byOrigin.set(entry.origin, [entry]); else list.push(entry);
  }
  return (candidate: string): boolean => {
    const url = parseContextUrl(candidate);
    if (url === undefined) return false;
    return byOrigin.get(url.origin)?.some((entry) => admits(entry, url)) ?? false;
  };
}
