/**
 * Fetching one remote @context document, with every bound the gateway needs: a deadline,
 * a byte limit enforced while reading (not trusted from Content-Length), and redirects
 * followed by hand so that each hop is checked against the allow-list.
 */
import { MimtrustError } from '../errors/index.js';
import { readBounded } from '../lib/index.js';
import type { UrlAllowList } from './allow-list.js';

export interface FetchDocumentOptions {
  readonly fetch: typeof fetch;
  readonly timeoutMs: number;
  readonly maxBytes: number;
  readonly allowed: UrlAllowList;
  readonly maxRedirects?: number;
}

const REDIRECTS = new Set([301, 302, 303, 307, 308]);

function unavailable(detail: string, cause?: unknown): MimtrustError {
  return new MimtrustError('LD_CONTEXT_NOT_AVAILABLE', detail, { reason: 'context_unavailable', cause });
}

async function readLimited(body: ReadableStream<Uint8Array> | null, maxBytes: number): Promise<Uint8Array> {
  if (body === null) return new Uint8Array(0);
  const out = await readBounded(body, maxBytes);
  if (out === undefined) throw unavailable('The remote @context document is too large.');
  return out;
}

/** Fetches and parses the JSON document at `url` (already allow-listed by the caller). */
export async function fetchJsonDocument(url: string, opts: FetchDocumentOptions): Promise<unknown> {
  const signal = AbortSignal.timeout(opts.timeoutMs);
  const maxRedirects = opts.maxRedirects ?? 3;
  let current = url;
  try {
    for (let hop = 0; ; hop++) {
      const res = await opts.fetch(current, {
        redirect: 'manual',
        signal,
        headers: { accept: 'application/ld+json, application/json;q=0.9' },
      });
      if (REDIRECTS.has(res.status)) {
        await res.body?.cancel().catch(() => undefined);
        const location = res.headers.get('location');
        if (location === null || hop >= maxRedirects) throw unavailable('The remote @context redirects too often.');
        const next = new URL(location, current).href;
        if (!opts.allowed(next)) throw unavailable('The remote @context redirects outside the allowed locations.');
        current = next;
        continue;
      }
      if (!res.ok) {
        await res.body?.cancel().catch(() => undefined);
        throw unavailable('The remote @context could not be retrieved.');
      }
      const declared = Number(res.headers.get('content-length') ?? NaN);
      if (declared > opts.maxBytes) {
        await res.body?.cancel().catch(() => undefined);
        throw unavailable('The remote @context document is too large.');
      }
      const bytes = await readLimited(res.body, opts.maxBytes);
      try {
        return JSON.parse(new TextDecoder('utf-8', { fatal: true }).decode(bytes));
      } catch (err) {
        throw unavailable('The remote @context document is not JSON.', err);
      }
    }
  } catch (err) {
    if (err instanceof MimtrustError) throw err;
    throw unavailable('The remote @context could not be retrieved in time.', err);
  }
}
