/**
 * Where a request's @context comes from (NGSI-LD, ETSI GS CIM 009 §6.3.5):
 * - `application/ld+json` body: the body's `@context`; a context Link header as well is
 *   an error, and so is a body without `@context`.
 * - any other body (`application/json`, merge-patch) and bodiless requests: the Link
 *   header. Such a body carrying `@context` is refused, since brokers refuse it too and
 *   a gateway that read it differently from the broker would judge the wrong names.
 */
import { MimtrustError } from '../errors/index.js';
import { isPlainObject } from './iri.js';
import { contextLinkOf } from './link-header.js';
import { canonicalJson } from '../lib/index.js';

export type ContextSource =
  | { readonly kind: 'none' }
  | { readonly kind: 'link'; readonly url: string }
  | { readonly kind: 'body'; readonly context: unknown };

export type RequestHeaders = Readonly<Record<string, string | readonly string[] | undefined>>;

function bad(reason: string, detail: string): MimtrustError {
  return new MimtrustError('BAD_REQUEST', detail, { reason });
}

function mediaType(headers: RequestHeaders): string {
  const raw = headers['content-type'];
  const value = typeof raw === 'string' ? raw : raw?.[0];
  return (value ?? '').split(';', 1)[0]!.trim().toLowerCase();
}

/** The body's own @context; a batch (array) must carry one @context shared by every element. */
function bodyContext(body: unknown): unknown {
  if (isPlainObject(body)) {
    if (!('@context' in body)) throw bad('missing_body_context', 'An application/ld+json body must carry an @context.');
    return body['@context'];
  }
  if (Array.isArray(body) && body.length > 0) {
    let context: unknown;
    let key: string | undefined;
    for (const item of body) {
      if (!isPlainObject(item) || !('@context' in item)) {
        throw bad('missing_body_context', 'Every element of an application/ld+json array must carry an @context.');
      }
      const itemKey = canonicalJson(item['@context']);
      if (key === undefined) { key = itemKey; context = item['@context']; } else if (itemKey !== key) {
        throw bad('mixed_body_contexts', 'The elements of an application/ld+json array must share one @context.');
      }
    }
    return context;
  }
  throw bad('missing_body_context', 'An application/ld+json body must carry an @context.');
}

function hasContextMember(body: unknown): boolean {
  if (isPlainObject(body)) return '@context' in body;
  return Array.isArray(body) && body.some((item) => isPlainObject(item) && '@context' in item);
}

/** Applies the NGSI-LD rule to headers (lower-cased names) and the parsed body (undefined: none). */
export function contextSourceOf(headers: RequestHeaders, body: unknown): ContextSource {
  const link = contextLinkOf(headers['link']);
  if (body !== undefined && mediaType(headers) === 'application/ld+json') {
    if (link !== undefined) throw bad('link_with_ld_json', 'A context Link header is not allowed with an application/ld+json body.');
    return { kind: 'body', context: bodyContext(body) };
  }
  if (body !== undefined && hasContextMember(body)) {
    throw bad('context_in_json_body', 'An @context in the body requires Content-Type application/ld+json.');
  }
  return link === undefined ? { kind: 'none' } : { kind: 'link', url: link };
}
