/**
 * The JSON-LD document loader every issue and verify goes through: contexts by URL from
 * the fixed set (contexts.ts, plus the gateway's own served ones), DIDs and their
 * verification methods through DID resolution. Nothing else loads: an unknown URL is a
 * CredentialError, never a network fetch.
 */
import type { DocumentLoader } from '@digitalbazaar/vc';
import { CredentialError } from './errors.js';
import type { DidDocument } from './did-resolution.js';
import { tuneJsonld } from './jsonld-tuning.js';

export interface DocumentLoaderOptions {
  contexts: ReadonlyMap<string, unknown>;
  resolveDid: (did: string) => Promise<DidDocument>;
}

function loaded(url: string, document: unknown) {
  return { contextUrl: null, documentUrl: url, document };
}

/**
 * A context from the fixed set, tagged `static`: jsonld keeps a context it resolved only
 * when its loader tags it so, and with it the context as processed on top of each active
 * context, so a context is processed once per process instead of on every operation.
 */
function fixedContext(url: string, document: unknown) {
  return { ...loaded(url, document), tag: 'static' };
}

/** The node of a DID document a DID URL names (`did:…#key`), with the document's context. */
function fragmentOf(doc: DidDocument, url: string): Record<string, unknown> {
  const methods = Array.isArray(doc['verificationMethod']) ? doc['verificationMethod'] as Array<Record<string, unknown>> : [];
  const method = methods.find((m) => m['id'] === url);
  if (method === undefined) throw new CredentialError('verification_method_unknown', 'The DID document has no such verification method.');
  return { '@context': doc['@context'], ...method };
}

export function documentLoader(opts: DocumentLoaderOptions): DocumentLoader {
  // Whatever signs or verifies goes through a loader made here: the one place to tune jsonld.
  tuneJsonld();
  return async (url: string) => {
    const context = opts.contexts.get(url);
    if (context !== undefined) return fixedContext(url, context);
    if (url.startsWith('did:')) {
      const hash = url.indexOf('#');
      const did = hash === -1 ? url : url.slice(0, hash);
      const doc = await opts.resolveDid(did);
      return loaded(url, hash === -1 ? doc : fragmentOf(doc, url));
    }
    throw new CredentialError('context_unknown', 'A credential names a JSON-LD document the gateway does not hold; none is fetched.');
  };
}
