/**
 * The live set of contracts: files from the contracts folder plus those created through
 * the admin API (kept in the store, each in its provider's namespace; namespace.ts).
 * Every change builds a complete new snapshot and swaps it in with one assignment, so a
 * request sees either the old set or the new one, never half of a change. A change that
 * does not compile leaves the current snapshot in place.
 */
import type { ContextResolver } from '../context/index.js';
import { watchFolder } from '../lib/index.js';
import type { ContractStore } from './store.js';
import { readContractDir, compileDocuments, compileDocument, type ContractDocument } from './load.js';
import { ContractError } from './errors.js';
import type { CompiledContract, PolicySnapshot } from './model.js';
import type { PartyNames } from './parties.js';
import { apiContractKey, type ApiPlacement } from './namespace.js';
import type { Providers } from './providers.js';

export interface ContractRegistryOptions {
  dir: string;
  store: ContractStore;
  resolver: ContextResolver;
  /** The issuers party names may refer to. */
  parties: PartyNames;
  /** The configured providers; none: API contracts are the operator's. */
  providers?: Providers;
  onReloadError?: (err: unknown) => void;
  onReload?: (snapshot: PolicySnapshot) => void;
}

/**
 * Checks, inside the registry's serial section, that the caller may make this change:
 * `next` is the contract as it would be in force, `previous` the one it replaces or removes.
 * Throws to refuse.
 */
export type ChangeCheck = (next: CompiledContract | undefined, previous: CompiledContract | undefined) => void;

export interface PutOptions {
  /** The uid the path names: the document's must be the same. */
  expectUid?: string;
  /** Refuse when the namespace already has a contract with this uid. */
  create?: boolean;
  authorize?: ChangeCheck;
}

export const API_SOURCE_PREFIX = 'api:';

function uidOf(doc: unknown): string | undefined {
  if (typeof doc !== 'object' || doc === null || Array.isArray(doc)) return undefined;
  const d = doc as Record<string, unknown>;
  const uid = d.uid ?? d['odrl:uid'] ?? d['@id'];
  return typeof uid === 'string' ? uid : undefined;
}

export class ContractRegistry {
  private current!: PolicySnapshot;
  private revision = 0;
  private stopWatching: (() => void) | undefined;
  /** Serialises changes, so two concurrent edits cannot each overwrite the other's snapshot. */
  private chain: Promise<unknown> = Promise.resolve();

  private constructor(private readonly opts: ContractRegistryOptions) {}

  static async open(opts: ContractRegistryOptions): Promise<ContractRegistry> {
    const r = new ContractRegistry(opts);
    r.install(await r.build(await r.documents()));
    return r;
  }

  /** Puts a snapshot in force under the next revision. */
  private install(built: PolicySnapshot): PolicySnapshot {
    this.revision += 1;
    this.current = Object.freeze({ ...built, revision: this.revision });
    return this.current;
  }

  /** The snapshot decisions read now. */
  get snapshot(): PolicySnapshot {
    return this.current;
  }

  private async documents(): Promise<ContractDocument[]> {
    const files = readContractDir(this.opts.dir);
    const stored = await this.opts.store.list();
    return [...files, ...stored.map((s) => this.apiDocument(s.provider, s.uid, s.document))];
  }

  /** Whose namespace: a configured provider, or (null) the operator's. */
  private placement(provider: string | null, source: string): ApiPlacement {
    if (provider === null) return { provider: null };
    const p = this.opts.providers?.get(provider);
    if (!p) throw new ContractError('ERR_CONTRACT_NOT_OWNED', { source }, provider, 'no provider of this id is configured');
    return { provider: p };
  }

  private apiDocument(provider: string | null, uid: string, doc: unknown): ContractDocument {
    const source = API_SOURCE_PREFIX + apiContractKey(provider, uid);
    return { source, doc, api: this.placement(provider, source) };
  }

  /** The contract file with this uid, if any. */
  file(uid: string): CompiledContract | undefined {
    const c = this.current.contracts.get(uid);
    return c && !c.source.startsWith(API_SOURCE_PREFIX) ? c : undefined;
  }

  private build(docs: readonly ContractDocument[]): Promise<PolicySnapshot> {
    return compileDocuments(docs, this.opts.resolver, this.opts.parties);
  }

  private serial<T>(task: () => Promise<T>): Promise<T> {
    const run = this.chain.then(task, task);
    this.chain = run.catch(() => undefined);
    return run;
  }

  /** Re-read the folder and the store; keep the current snapshot if the new set is invalid. */
  reload(): Promise<PolicySnapshot> {
    return this.serial(async () => {
      const next = this.install(await this.build(await this.documents()));
      this.opts.onReload?.(next);
      return next;
    });
  }

  /** Watch the folder; reload shortly after the last change (editors write in several steps). */
  watch(debounceMs = 200): void {
    if (this.stopWatching) return;
    this.stopWatching = watchFolder(this.opts.dir, async () => { await this.reload(); }, (err) => this.opts.onReloadError?.(err), debounceMs);
  }

  /**
   * Validate one document on its own, without changing anything: as the provider's
   * (ownership checked and narrowed), or as the operator's when `provider` is null.
   */
  validate(doc: unknown, provider: string | null = null, source = 'request'): Promise<CompiledContract> {
    return compileDocument({ source, doc, api: this.placement(provider, source) }, this.opts.resolver, this.opts.parties);
  }

  /** The API contract with this uid in the namespace, as in force. */
  get(provider: string | null, uid: string): CompiledContract | undefined {
    return this.current.contracts.get(apiContractKey(provider, uid));
  }

  /** The document of a contract created through the API, as it was submitted. */
  async storedDocument(provider: string | null, uid: string): Promise<unknown> {
    return (await this.opts.store.get(provider, uid))?.document;
  }

  list(): CompiledContract[] {
    return [...this.current.contracts.values()];
  }

  /**
   * Refuses a uid an API contract may not take (ERR_CONTRACT_UID_TAKEN): a contract file's,
   * whichever the namespace, or, on `create`, one the namespace already has.
   */
  checkUid(provider: string | null, uid: string, create: boolean): void {
    const file = this.file(uid);
    if (file) throw new ContractError('ERR_CONTRACT_UID_TAKEN', { source: 'request' }, uid, 'the uid belongs to a contract file; the API cannot take it');
    if (create && this.get(provider, uid)) throw new ContractError('ERR_CONTRACT_UID_TAKEN', { source: 'request' }, uid, 'a contract with this uid exists; replace it with PUT');
  }

  /**
   * Create or replace an API contract in the provider's namespace. Its uid may not be a
   * contract file's; it must compile together with every other contract (and within what
   * its provider owns), pass `authorize`, and only then is it stored and swapped in.
   */
  put(doc: unknown, provider: string | null, opts: PutOptions = {}): Promise<{ contract: CompiledContract; created: boolean }> {
    return this.serial(async () => {
      const uid = uidOf(doc);
      if (uid === undefined) throw new ContractError('ERR_CONTRACT_MALFORMED', { source: 'request' }, 'uid', 'a contract needs a uid');
      if (opts.expectUid !== undefined && uid !== opts.expectUid) {
        throw new ContractError('ERR_CONTRACT_BAD_VALUE', { source: 'request' }, 'uid', 'the uid in the document differs from the one in the path');
      }
      this.checkUid(provider, uid, opts.create ?? false);
      const key = apiContractKey(provider, uid);
      const previous = this.current.contracts.get(key);
      const added = this.apiDocument(provider, uid, doc);
      const docs = (await this.documents()).filter((d) => d.source !== added.source);
      docs.push(added);
      const built = await this.build(docs);
      opts.authorize?.(built.contracts.get(key), previous);
      await this.opts.store.put(provider, uid, doc, new Date().toISOString());
      const next = this.install(built);
      this.opts.onReload?.(next);
      return { contract: next.contracts.get(key)!, created: previous === undefined };
    });
  }

  /**
   * Delete an API contract of the namespace. Returns false when there is none with that
   * uid; in the operator's namespace, refuses the uid of a contract file.
   */
  remove(provider: string | null, uid: string, authorize?: ChangeCheck): Promise<boolean> {
    return this.serial(async () => {
      const existing = this.get(provider, uid);
      if (existing === undefined) {
        const file = provider === null ? this.file(uid) : undefined;
        if (file) throw new ContractError('ERR_CONTRACT_BAD_VALUE', { source: 'request' }, uid, `the contract comes from the file ${file.source}; remove the file instead`);
        return false;
      }
      authorize?.(undefined, existing);
      const deleted = await this.opts.store.delete(provider, uid);
      if (deleted) {
        this.opts.onReload?.(this.install(await this.build(await this.documents())));
      }
      return deleted;
    });
  }

  close(): void {
    this.stopWatching?.();
    this.stopWatching = undefined;
  }
}
