/**
 * The credentials module's one object: the city's identity once the gateway knows its
 * address, issuing (consent receipts and what administrators ask for), the status lists,
 * and verification. It is the consent module's receipt issuer and one of its listeners:
 * a given consent gets its status entry at once (so its receipt is the same on every
 * download), a withdrawn or expired one has its bit set.
 *
 * Receipts are issued on demand, deterministically, not stored: the credential is a pure
 * function of the record and its status entry (receipt.ts), the proof is dated when the
 * consent was given, and Ed25519 signatures are deterministic, so every download of a
 * receipt is the same document until the key rotates, and then one as valid. Nothing
 * signed has to be kept, migrated or re-signed.
 */
import { issue as vcIssue, type DocumentLoader } from '@digitalbazaar/vc';
import type { ConsentEventType, ConsentListener, ConsentRecord, ReceiptIssuer } from '../consent/index.js';
import type { Ed25519Key } from '../keys/index.js';
import { CONSENT_CONTEXT_DOCUMENT, PACKAGED_CONTEXTS, consentContextUrl } from './contexts.js';
import { DidResolution, type DidDocument, type DidResolutionOptions } from './did-resolution.js';
import { didWebOf } from './did-web.js';
import { documentLoader } from './document-loader.js';
import { CredentialError } from './errors.js';
import { cityIdentity, type CityIdentity } from './identity.js';
import { receiptCredential } from './receipt.js';
import { StatusLists } from './status-lists.js';
import type { StatusListStore } from './status-store.js';
import { localProofs, Verifier, type Verification } from './verify.js';
import { ProofPool } from './proof-pool.js';
import { PooledProofs } from './pooled-proofs.js';

/** The key set in keys/ that signs credentials (`mimtrust credentials rotate-key`). */
export const VC_ASSERTION_KEY_SET = 'vc-assertion';

export interface CredentialsOptions {
  keys: readonly Ed25519Key[];
  /** `web`: the DID is `did` or the did:web of the base URL; `key`: the did:key of the newest key. */
  method: 'web' | 'key';
  did: string | null;
  store: StatusListStore;
  didWeb: Pick<DidResolutionOptions, 'webAllow' | 'fetchJson' | 'cacheSize' | 'cacheTtlMs'>;
  verifyCache: { size: number; ttlMs: number };
  /** Presentations' signature verdicts remembered, failures for `failureTtlMs`. */
  presentationCache: { size: number; ttlMs: number; failureTtlMs: number };
  maxPresentationCredentials: number;
  /** Worker threads for proofs; size 0: none. */
  workers?: { size: number; maxQueue: number; timeoutMs: number; script?: URL };
  now?: () => number;
}

interface Bound {
  baseUrl: string;
  identity: CityIdentity;
  loader: DocumentLoader;
  verifier: Verifier;
  pool: ProofPool | undefined;
}

function notReady(): CredentialError {
  return new CredentialError('credentials_not_ready', 'The gateway does not know its own address yet.');
}

export class Credentials implements ReceiptIssuer, ConsentListener {
  private bound: Bound | undefined;
  readonly statusLists: StatusLists;
  private readonly resolution: DidResolution;

  constructor(private readonly opts: CredentialsOptions) {
    this.resolution = new DidResolution({ ...opts.didWeb, own: () => this.bound?.identity.documents ?? new Map(), ...(opts.now ? { now: opts.now } : {}) });
    this.statusLists = new StatusLists({
      store: opts.store,
      baseUrl: () => this.ready().baseUrl,
      issuer: () => this.ready().identity.did,
      sign: (credential, date) => this.sign(credential, date),
    });
  }

  /** Binds the module to the gateway's public base URL (`https://host:port`), once it is known. */
  async bind(baseUrl: string): Promise<void> {
    const did = this.opts.method === 'key' ? undefined : this.opts.did ?? didWebOf(baseUrl);
    const identity = await cityIdentity(this.opts.keys, did === undefined ? { method: 'key' } : { method: 'web', did });
    const contexts = new Map(PACKAGED_CONTEXTS);
    contexts.set(consentContextUrl(baseUrl), CONSENT_CONTEXT_DOCUMENT);
    const loader = documentLoader({ contexts, resolveDid: (d) => this.resolution.resolve(d) });
    const workers = this.opts.workers;
    const pool = workers !== undefined && workers.size > 0
      ? new ProofPool({ ...workers, contexts: [[consentContextUrl(baseUrl), CONSENT_CONTEXT_DOCUMENT]] })
      : undefined;
    const verifier = new Verifier({
      loader,
      isSet: (entry) => this.statusLists.isSet(entry),
      cacheSize: this.opts.verifyCache.size,
      cacheTtlMs: this.opts.verifyCache.ttlMs,
      presentationCache: this.opts.presentationCache,
      maxCredentials: this.opts.maxPresentationCredentials,
      ...(pool ? { proofs: new PooledProofs(pool, localProofs(loader), (did) => this.resolution.resolve(did)) } : {}),
      ...(this.opts.now ? { now: this.opts.now } : {}),
    });
    await this.bound?.pool?.close();
    this.bound = { baseUrl, identity, loader, verifier, pool };
  }

  /** Starts the proof workers, if any, rather than with the first proof; settles once they have loaded. */
  async startWorkers(): Promise<void> {
    await this.ready().pool?.started();
  }

  /** Stops the proof workers. */
  async close(): Promise<void> {
    await this.bound?.pool?.close();
  }

  private ready(): Bound {
    if (this.bound === undefined) throw notReady();
    return this.bound;
  }

  get did(): string {
    return this.ready().identity.did;
  }

  get baseUrl(): string {
    return this.ready().baseUrl;
  }

  get loader(): DocumentLoader {
    return this.ready().loader;
  }

  /** The did:web document answered at /.well-known/did.json; undefined with did:key. */
  didDocument(): DidDocument | undefined {
    const { identity } = this.ready();
    return identity.documents.get(identity.did);
  }

  resolveDid(did: string): Promise<DidDocument> {
    return this.resolution.resolve(did);
  }

  /** Signs a credential as the city (a copy: the library adds the proof to what it is given). */
  async sign(credential: Record<string, unknown>, date?: string): Promise<Record<string, unknown>> {
    const { identity, loader } = this.ready();
    return vcIssue({ credential: structuredClone(credential), suite: identity.signingSuite(date), documentLoader: loader });
  }

  /** The signed receipt of a record; bound to `holder` (a wallet's DID) when given. */
  async receiptOf(record: ConsentRecord, now: number, holder?: string): Promise<Record<string, unknown>> {
    const { identity, baseUrl } = this.ready();
    const status = await this.statusLists.entryFor(record.id, now);
    return this.sign(receiptCredential({ record, issuer: identity.did, baseUrl, status, ...(holder === undefined ? {} : { holder }) }), record.givenAt);
  }

  async consentChanged(record: ConsentRecord, event: ConsentEventType, now: number): Promise<void> {
    if (event === 'given') await this.statusLists.allocate(record.id, now);
    else await this.statusLists.revoke(record.id, now);
  }

  verifyCredential(credential: unknown): Promise<Verification> {
    return this.ready().verifier.credential(credential);
  }

  verifyPresentation(presentation: unknown, options: { challenge?: string; domain?: string }): Promise<Verification> {
    return this.ready().verifier.presentation(presentation, options);
  }
}
