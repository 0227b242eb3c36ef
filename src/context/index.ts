/**
 * NGSI-LD @context handling: names as the caller wrote them become expanded IRIs, so
 * a short name, an alias, a compact IRI and the full IRI of one attribute compare equal.
 * The core context is compiled in (or loaded from an official file) and always in force;
 * caller contexts come from the Link header or an ld+json body, and remote ones only from
 * allow-listed locations through a bounded, cached fetch, or from the operator's pinned
 * local copies (pinned.ts), which are never fetched.
 */
export type { ActiveContext, ContextLoader, CoreContext, TermDefinition } from './types.js';
export { CORE_CONTEXT_TERMS, NGSI_LD_DEFAULT_VOCAB, NGSI_LD_NAMESPACE } from './core-terms.js';
export { buildCoreContext, builtinCoreContext, loadCoreContextFile } from './core-context.js';
export { isCoreContextUrl } from './core-urls.js';
export { processContext, coreOnlyContext } from './active-context.js';
export type { ProcessContextOptions } from './active-context.js';
export { parseLinkHeader, contextLinkOf, contextLinkHeader, JSON_LD_CONTEXT_REL } from './link-header.js';
export type { LinkValue } from './link-header.js';
export { contextSourceOf } from './request-context.js';
export type { ContextSource, RequestHeaders } from './request-context.js';
export { compileAllowList } from './allow-list.js';
export type { UrlAllowList } from './allow-list.js';
export { createContextResolver } from './resolver.js';
export type { ContextResolver, ContextResolverOptions } from './resolver.js';
export { contextResolverFor } from './from-config.js';
export { loadPinnedContexts } from './pinned.js';
export { fetchJsonDocument } from './fetch-document.js';
export type { FetchDocumentOptions } from './fetch-document.js';
export type { PinnedContexts } from './pinned.js';
