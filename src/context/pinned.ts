/**
 * Pinned contexts: remote @context URLs the operator answers from local files. A pinned
 * URL is never fetched, so the meaning of its terms cannot change under a contract when
 * the host edits or loses the file, and a gateway without access to the internet can
 * still expand names against Smart Data Models contexts. Pinning is explicit trust: a
 * pinned URL needs no allow-list entry. Files are read once, at start.
 */
import { readFileSync } from 'node:fs';
import { ConfigError } from '../config/index.js';
import { jsonErrorPosition } from '../lib/index.js';
import { parseContextUrl } from './allow-list.js';
import { isPlainObject } from './iri.js';

/** URL (as the allow-list and the fetcher see it) -> the document's `@context` value. */
export type PinnedContexts = ReadonlyMap<string, unknown>;

/** The normalised key of a pinned URL; undefined when `url` is not a plain http(s) URL. */
export function pinnedKey(url: string): string | undefined {
  return parseContextUrl(url)?.href;
}

function readPinnedFile(url: string, path: string, maxBytes: number): unknown {
  const key = `contexts.pinned["${url}"]`;
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    throw new ConfigError(key, `cannot read ${path}${code ? ` (${code})` : ''}`);
  }
  if (Buffer.byteLength(text) > maxBytes) throw new ConfigError(key, `${path} is larger than contexts.maxBytes (${maxBytes})`);
  let doc: unknown;
  try {
    doc = JSON.parse(text);
  } catch {
    const at = jsonErrorPosition(text);
    throw new ConfigError(key, `${path} is not valid JSON${at ? ` (line ${at.line}, column ${at.column})` : ''}`);
  }
  if (!isPlainObject(doc) || !('@context' in doc)) throw new ConfigError(key, `${path} has no @context member`);
  return doc['@context'];
}

/** Reads every pinned file; a URL that is not plain http(s), or a file that is not a context document, stops the start. */
export function loadPinnedContexts(pinned: Readonly<Record<string, string>>, maxBytes: number): PinnedContexts {
  const out = new Map<string, unknown>();
  for (const [url, path] of Object.entries(pinned)) {
    const key = pinnedKey(url);
    if (key === undefined) throw new ConfigError(`contexts.pinned["${url}"]`, 'must be an http(s) URL without credentials or encoded slashes');
    out.set(key, readPinnedFile(url, path, maxBytes));
  }
  return out;
}
