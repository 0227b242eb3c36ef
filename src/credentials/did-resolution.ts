/**
 * DID resolution through did-resolver, for the two methods the gateway reads: did:key
 * (self-describing, resolved in memory) and did:web. The city's own did:web is answered
 * from its key set, never fetched. Any other did:web is fetched over HTTPS only when its
 * host (and port) is on the allow-list, with the configured trust, and kept in a cache
 * bounded in size and time. A did:key document depends on nothing but the DID, so each
 * one made is kept (bounded, frozen: whoever reads it cannot change it for the next
 * reader). Everything else fails to resolve.
 */
import { Resolver, type DIDDocument, type DIDResolutionResult, type DIDResolver } from 'did-resolver';
import { driver as didKeyDriver } from '@digitalbazaar/did-method-key';
import { from as multikeyFrom } from '@digitalbazaar/ed25519-multikey';
import { BoundedMemo, TtlCache } from '../lib/index.js';
import { CredentialError } from './errors.js';
import { didWebLocation } from './did-web.js';

export type DidDocument = Record<string, unknown> & { id: string };

export interface DidResolutionOptions {
  /** The city's own DID documents (did:web), answered without a fetch. */
  own: () => ReadonlyMap<string, DidDocument>;
  /** `host` or `host:port` of the did:web hosts whose documents may be fetched. */
  webAllow: readonly string[];
  /** Reads the JSON document at an https URL (the I/O edge; bounded by its maker). */
  fetchJson: (url: string) => Promise<unknown>;
  cacheSize: number;
  cacheTtlMs: number;
  now?: () => number;
}

function found(didDocument: DIDDocument): DIDResolutionResult {
  return { didResolutionMetadata: { contentType: 'application/did+ld+json' }, didDocument, didDocumentMetadata: {} };
}

function notFound(error: string): DIDResolutionResult {
  return { didResolutionMetadata: { error }, didDocument: null, didDocumentMetadata: {} };
}

/** Verification method ids written relative to the document (`#key-1`) made absolute, as proofs name them. */
function absolute(doc: DidDocument): DidDocument {
  const fix = (v: unknown): unknown => {
    if (typeof v === 'string') return v.startsWith('#') ? `${doc.id}${v}` : v;
    if (v !== null && typeof v === 'object' && !Array.isArray(v)) {
      const node = v as Record<string, unknown>;
      return { ...node, ...(typeof node['id'] === 'string' ? { id: fix(node['id']) } : {}), ...(node['controller'] === undefined ? {} : { controller: doc.id }) };
    }
    return v;
  };
  const out: DidDocument = { ...doc };
  for (const k of ['verificationMethod', 'assertionMethod', 'authentication', 'capabilityInvocation', 'capabilityDelegation']) {
    if (Array.isArray(doc[k])) out[k] = (doc[k] as unknown[]).map(fix);
  }
  return out;
}

function deepFreeze<T>(value: T): T {
  if (value !== null && typeof value === 'object' && !Object.isFrozen(value)) {
    for (const v of Object.values(value)) deepFreeze(v);
    Object.freeze(value);
  }
  return value;
}

export class DidResolution {
  private readonly resolver: Resolver;
  private readonly webCache: TtlCache<string, DidDocument>;
  private readonly keyDocs: BoundedMemo<string, DidDocument>;
  private readonly now: () => number;

  constructor(private readonly opts: DidResolutionOptions) {
    this.now = opts.now ?? Date.now;
    this.webCache = new TtlCache(opts.cacheSize, this.now);
    this.keyDocs = new BoundedMemo(Math.max(1, opts.cacheSize));
    const keys = didKeyDriver();
    keys.use({ multibaseMultikeyHeader: 'z6Mk', fromMultibase: multikeyFrom });
    const key: DIDResolver = async (did) => {
      try {
        return found((await keys.get({ did })) as unknown as DIDDocument);
      } catch {
        return notFound('invalidDid');
      }
    };
    const web: DIDResolver = async (did) => {
      try {
        return found(await this.web(did));
      } catch (err) {
        return notFound(err instanceof CredentialError ? err.reason : 'notFound');
      }
    };
    // The cache is this class's own, bounded; did-resolver's is not.
    this.resolver = new Resolver({ key, web }, { cache: false });
  }

  /** The DID document of `did`, or a CredentialError saying why there is none. */
  async resolve(did: string): Promise<DidDocument> {
    const kept = this.keyDocs.get(did);
    if (kept !== undefined) return kept;
    const result = await this.resolver.resolve(did);
    const doc = result.didDocument as DidDocument | null;
    if (doc === null || doc.id !== did) {
      const reason = result.didResolutionMetadata.error ?? 'notFound';
      throw new CredentialError(reason === 'did_web_not_allowed' ? reason : 'did_unresolved', reason === 'did_web_not_allowed'
        ? 'The DID names a did:web host that is not on the allow-list.'
        : 'The DID could not be resolved.');
    }
    const resolved = absolute(doc);
    if (did.startsWith('did:key:')) this.keyDocs.set(did, deepFreeze(resolved));
    return resolved;
  }

  private async web(did: string): Promise<DidDocument> {
    const own = this.opts.own().get(did);
    if (own !== undefined) return own;
    const location = didWebLocation(did);
    if (location === undefined) throw new CredentialError('did_unresolved', 'The DID is not a did:web that can be read.');
    if (!this.opts.webAllow.includes(location.authority)) throw new CredentialError('did_web_not_allowed', 'The DID names a did:web host that is not on the allow-list.');
    const cached = this.webCache.get(did);
    if (cached !== undefined) return cached;
    const doc = await this.opts.fetchJson(location.url);
    if (doc === null || typeof doc !== 'object' || Array.isArray(doc) || (doc as { id?: unknown }).id !== did) {
      throw new CredentialError('did_unresolved', 'The did:web document is not the document of that DID.');
    }
    this.webCache.set(did, doc as DidDocument, this.now() + this.opts.cacheTtlMs);
    return doc as DidDocument;
  }
}
