/**
 * Turns whatever @context a request brings into an ActiveContext, fast on the hot path:
 * a repeated Link URL or inline context is one cache lookup. Remote documents are fetched
 * only from allow-listed locations, once per URL however many requests ask at the same
 * moment, within byte and time bounds; failures are remembered for a short backoff so a
 * dead server is not hammered. Every failure is an error, never a fallback to the core.
 */
import { createHash } from 'node:crypto';
import { MimtrustError, asMimtrustError } from '../errors/index.js';
import { TtlCache } from '../lib/index.js';
import { coreOnlyContext, processContext } from './active-context.js';
import { compileAllowList, parseContextUrl } from './allow-list.js';
import { canonicalDigest } from '../lib/index.js';
import { builtinCoreContext } from './core-context.js';
import { isCoreContextUrl } from './core-urls.js';
import { fetchJsonDocument } from './fetch-document.js';
import { isPlainObject } from './iri.js';
import { pinnedKey, type PinnedContexts } from './pinned.js';
import { contextSourceOf, type RequestHeaders } from './request-context.js';
import { refuse } from './term-definitions.js';
import type { ActiveContext, CoreContext } from './types.js';

export interface ContextResolverOptions {
  /** URL prefixes remote contexts may be fetched from (compared as parsed URLs). */
  allowList: readonly string[];
  /** Bound of each cache (remote documents, active contexts). */
  maxEntries: number;
  /** How long a fetched document (and what was built from it) is used before fetching again. */
  maxAgeMs: number;
  /** Largest remote document accepted, in bytes. */
  maxBytes: number;
  fetchTimeoutMs: number;
  /** Core context in force; the built-in table by default. */
  core?: CoreContext;
  fetch?: typeof fetch;
  /** Clock for cache ages (ms). */
  now?: () => number;
  /** How long a failed fetch or a refused context is remembered (default: 5 s, at most maxAgeMs). */
  failureBackoffMs?: number;
  /** How deep remote contexts may include remote contexts (default 8). */
  maxRemoteDepth?: number;
  /** Most remote documents one context may pull in (default 32). */
  maxRemoteDocuments?: number;
  /** URLs answered from the operator's local copies (pinned.ts): never fetched, never expiring, no allow-list entry needed. */
  pinned?: PinnedContexts;
}

export interface ContextResolver {
  readonly core: CoreContext;
  /** The active context for a context value; undefined means the core alone. */
  resolve(ctx: unknown): Promise<ActiveContext>;
  /** The active context of a request, per the NGSI-LD Link / Content-Type rules. */
  fromRequest(headers: RequestHeaders, body: unknown): Promise<ActiveContext>;
  /**
   * Every remote document a context value reaches (URL -> its `@context`), fetched through
   * the same allow-list, bounds and cache as `resolve`. With `withDocuments`, lets a caller
   * keep its own copy of what a context was built from (contracts survive their context
   * host being down at a restart).
   */
  remoteDocuments(ctx: unknown): Promise<ReadonlyMap<string, unknown>>;
  /** The active context of `ctx` built from the given remote documents only: no fetch, no cache. */
  withDocuments(ctx: unknown, documents: ReadonlyMap<string, unknown>): ActiveContext;
}

type Outcome<T> = { readonly ok: true; readonly value: T } | { readonly ok: false; readonly error: MimtrustError };

interface RemoteDocument {
  /** The document's `@context` value. */
  readonly context: unknown;
  readonly expiresAt: number;
}

function unavailable(detail: string): MimtrustError {
  return new MimtrustError('LD_CONTEXT_NOT_AVAILABLE', detail, { reason: 'context_unavailable' });
}

function notAllowed(): MimtrustError {
  return new MimtrustError('BAD_REQUEST', 'The @context is not at an allowed location.', { reason: 'context_not_allowed' });
}

/** Inline contexts up to this size are cached under their JSON text; larger ones under a digest. */
const INLINE_KEY_LIMIT = 4096;

/**
 * Cache key of an inline context: its JSON text as sent (cheap: no sorting, no hashing on
 * the hot path). The same context written in another key order gets a second entry, but
 * the same `id`: the id is the digest of the canonical JSON.
 */
function inlineKey(ctx: unknown): string {
  const text = JSON.stringify(ctx) ?? 'undefined';
  return text.length <= INLINE_KEY_LIMIT ? `json:${text}` : `sha256-text:${createHash('sha256').update(text).digest('base64url')}`;
}

export function createContextResolver(opts: ContextResolverOptions): ContextResolver {
  const core = opts.core ?? builtinCoreContext();
  const now = opts.now ?? Date.now;
  const fetchFn = opts.fetch ?? globalThis.fetch;
  const allowed = compileAllowList(opts.allowList);
  const backoffMs = opts.failureBackoffMs ?? Math.min(5000, opts.maxAgeMs);
  const maxRemoteDepth = opts.maxRemoteDepth ?? 8;
  const maxRemoteDocuments = opts.maxRemoteDocuments ?? 32;
  const coreOnly = coreOnlyContext(core);
  const pinned = opts.pinned ?? new Map<string, unknown>();
  const isPinned = (url: string): boolean => pinned.size > 0 && pinned.has(pinnedKey(url) ?? '');

  const documents = new TtlCache<string, Outcome<RemoteDocument>>(opts.maxEntries, now);
  const actives = new TtlCache<string, Outcome<ActiveContext>>(opts.maxEntries, now);
  const documentFlights = new Map<string, Promise<RemoteDocument>>();
  const activeFlights = new Map<string, Promise<ActiveContext>>();

  function document(url: string): Promise<RemoteDocument> {
    const key = parseContextUrl(url)?.href;
    if (key === undefined) return Promise.reject(notAllowed());
    if (pinned.has(key)) return Promise.resolve({ context: pinned.get(key), expiresAt: Number.POSITIVE_INFINITY });
    const hit = documents.get(key);
    if (hit !== undefined) return hit.ok ? Promise.resolve(hit.value) : Promise.reject(hit.error);
    const flight = documentFlights.get(key);
    if (flight !== undefined) return flight;
    const started = (async (): Promise<RemoteDocument> => {
      try {
        const json = await fetchJsonDocument(key, { fetch: fetchFn, timeoutMs: opts.fetchTimeoutMs, maxBytes: opts.maxBytes, allowed });
        if (!isPlainObject(json) || !('@context' in json)) throw unavailable('The remote document has no @context.');
        const doc: RemoteDocument = { context: json['@context'], expiresAt: now() + opts.maxAgeMs };
        documents.set(key, { ok: true, value: doc }, doc.expiresAt);
        return doc;
      } catch (err) {
        const error = err instanceof MimtrustError ? err : unavailable('The remote @context could not be retrieved.');
        documents.set(key, { ok: false, error }, now() + backoffMs);
        throw error;
      }
    })().finally(() => documentFlights.delete(key));
    documentFlights.set(key, started);
    return started;
  }

  /** Fetches every remote document a context value reaches, so that processing can be pure. */
  async function gather(
    value: unknown, chain: readonly string[], docs: Map<string, unknown>, expiry: { at: number },
  ): Promise<void> {
    if (Array.isArray(value)) {
      await Promise.all(value.map((item) => gather(item, chain, docs, expiry)));
      return;
    }
    if (typeof value !== 'string' || isCoreContextUrl(value)) return;
    if (chain.includes(value)) throw refuse('recursive_context_inclusion', 'A remote @context includes itself.');
    if (chain.length >= maxRemoteDepth) throw refuse('context_too_deep', 'Remote @context documents are nested too deeply.');
    if (!allowed(value) && !isPinned(value)) throw notAllowed();
    // Already gathered through another branch; processing starts only once every branch is done.
    if (docs.has(value)) return;
    if (docs.size >= maxRemoteDocuments) throw refuse('too_many_contexts', 'The @context pulls in too many remote documents.');
    docs.set(value, undefined);
    const doc = await document(value);
    docs.set(value, doc.context);
    expiry.at = Math.min(expiry.at, doc.expiresAt);
    await gather(doc.context, [...chain, value], docs, expiry);
  }

  function withDocuments(ctx: unknown, docs: ReadonlyMap<string, unknown>): ActiveContext {
    if (ctx === undefined) return coreOnly;
    return processContext(ctx, {
      core,
      id: typeof ctx === 'string' ? ctx : `sha256:${canonicalDigest(ctx)}`,
      maxRemoteDepth,
      load: (url) => {
        if (!docs.has(url)) throw unavailable('A remote @context was not retrieved.');
        return docs.get(url);
      },
    });
  }

  async function remoteDocuments(ctx: unknown): Promise<ReadonlyMap<string, unknown>> {
    const docs = new Map<string, unknown>();
    try {
      await gather(ctx, [], docs, { at: Number.POSITIVE_INFINITY });
    } catch (err) {
      throw asMimtrustError(err);
    }
    return docs;
  }

  async function build(key: string, ctx: unknown): Promise<ActiveContext> {
    try {
      const docs = new Map<string, unknown>();
      const expiry = { at: now() + opts.maxAgeMs };
      await gather(ctx, [], docs, expiry);
      const active = withDocuments(ctx, docs);
      actives.set(key, { ok: true, value: active }, expiry.at);
      return active;
    } catch (err) {
      const error = asMimtrustError(err);
      actives.set(key, { ok: false, error }, now() + backoffMs);
      throw error;
    }
  }

  function resolve(ctx: unknown): Promise<ActiveContext> {
    if (ctx === undefined) return Promise.resolve(coreOnly);
    if (typeof ctx === 'string' && isCoreContextUrl(ctx)) return Promise.resolve(coreOnly);
    let key: string;
    try {
      key = typeof ctx === 'string' ? ctx : inlineKey(ctx);
    } catch (err) {
      return Promise.reject(asMimtrustError(err));
    }
    const hit = actives.get(key);
    if (hit !== undefined) return hit.ok ? Promise.resolve(hit.value) : Promise.reject(hit.error);
    const flight = activeFlights.get(key);
    if (flight !== undefined) return flight;
    const started = build(key, ctx).finally(() => activeFlights.delete(key));
    activeFlights.set(key, started);
    return started;
  }

  async function fromRequest(headers: RequestHeaders, body: unknown): Promise<ActiveContext> {
    const source = contextSourceOf(headers, body);
    switch (source.kind) {
      case 'none': return coreOnly;
      case 'link': return resolve(source.url);
      case 'body': return resolve(source.context);
    }
  }

  return { core, resolve, fromRequest, remoteDocuments, withDocuments };
}
