/**
 * The live set of contracts: files from the contracts folder plus those created through
 * the admin API (kept in the store). Every change builds a complete new snapshot and
 * swaps it in with one assignment, so a request sees either the old set or the new one,
 * never half of a change. A change that does not compile leaves the current snapshot in
 * place.
 */
import type { ContextResolver } from '../context/index.js';
import { watchFolder } from '../lib/index.js';
import type { ContractStore } from './store.js';
import { readContractDir, compileDocuments, compileDocument, type ContractDocument } from './load.js';
import { ContractError } from './errors.js';
import type { CompiledContract, PolicySnapshot } from './model.js';
import type { PartyNames } from './parties.js';

export interface ContractRegistryOptions {
  dir: string;
  store: ContractStore;
  resolver: ContextResolver;
  /** The issuers party names may refer to. */
  parties: PartyNames;
  onReloadError?: (err: unknown) => void;
  onReload?: (snapshot: PolicySnapshot) => void;
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
    return [...files, ...stored.map((s) => ({ source: API_SOURCE_PREFIX + s.uid, doc: s.document }))];
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

  /** Validate one document on its own, without changing anything. */
  validate(doc: unknown, source = 'request'): Promise<CompiledContract> {
    return compileDocument({ source, doc }, this.opts.resolver, this.opts.parties);
  }

  /** The document of a contract created through the API, as it was submitted. */
  async storedDocument(uid: string): Promise<unknown> {
    return (await this.opts.store.get(uid))?.document;
  }

  list(): CompiledContract[] {
    return [...this.current.contracts.values()];
  }

  /**
   * Create or replace an API contract. It must compile together with every other contract
   * (a uid taken by a file is refused), and only then is it stored and swapped in.
   */
  put(doc: unknown, expectUid?: string): Promise<{ contract: CompiledContract; created: boolean }> {
    return this.serial(async () => {
      const uid = uidOf(doc);
      if (uid === undefined) throw new ContractError('ERR_CONTRACT_MALFORMED', { source: 'request' }, 'uid', 'a contract needs a uid');
      if (expectUid !== undefined && uid !== expectUid) {
        throw new ContractError('ERR_CONTRACT_BAD_VALUE', { source: 'request' }, 'uid', 'the uid in the document differs from the one in the path');
      }
      const existing = this.current.contracts.get(uid);
      if (existing && !existing.source.startsWith(API_SOURCE_PREFIX)) {
        throw new ContractError('ERR_CONTRACT_DUPLICATE_UID', { source: 'request' }, uid, `the uid belongs to the file ${existing.source}; change the file instead`);
      }
      const source = API_SOURCE_PREFIX + uid;
      const docs = (await this.documents()).filter((d) => d.source !== source);
      docs.push({ source, doc });
      const built = await this.build(docs);
      await this.opts.store.put(uid, doc, new Date().toISOString());
      const next = this.install(built);
      this.opts.onReload?.(next);
      return { contract: next.contracts.get(uid)!, created: existing === undefined };
    });
  }

  /** Delete an API contract. Returns false when there is none with that uid; refuses file contracts. */
  remove(uid: string): Promise<boolean> {
    return this.serial(async () => {
      const existing = this.current.contracts.get(uid);
      if (existing && !existing.source.startsWith(API_SOURCE_PREFIX)) {
        throw new ContractError('ERR_CONTRACT_BAD_VALUE', { source: 'request' }, uid, `the contract comes from the file ${existing.source}; remove the file instead`);
      }
      const deleted = await this.opts.store.delete(uid);
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
