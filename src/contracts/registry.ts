/**
 * The live set of contracts: files from the contracts folder plus those created through
 * the admin API (kept in the store, each in its provider's namespace; namespace.ts).
 * Every change makes a complete new snapshot (one contract's change rebuilds only the
 * index buckets it touches, sharing the rest) and swaps it in with one assignment, so a
 * request sees either the old set or the new one, never half of a change.
 *
 * Each document is settled on its own (see DocumentReport): one that does not load is
 * reported and stays at its previous version in force, if it had one, without holding
 * back the others or admin writes. One whose remote context is unavailable is in force
 * disabled (prohibitions only) and tried again in the background with a growing delay.
 * With several gateways on one store, an API contract changed on another instance comes
 * on the change feed and is read again (storedChanged); after the feed was down,
 * everything is (reload).
 */
import type { ContextResolver } from '../context/index.js';
import { canonicalDigest, mapLimited, watchFolder } from '../lib/index.js';
import type { ContractCopies, ContractStore } from './store.js';
import type { ChangeFeed } from '../changes/index.js';
import type { PartyNames } from './parties.js';
import { apiContractKey, type ApiPlacement } from './namespace.js';
import type { Providers } from './providers.js';
import { readContractDir, compileDocument, loadDocument, type ContractDocument, type DocumentRead, type FolderRead } from './load.js';
import { validateDocument, type Validation } from './validate.js';
import { ContractError } from './errors.js';
import type { CompiledContract, PolicySnapshot } from './model.js';
import { snapshotOf, snapshotWith } from './snapshot.js';

export interface ContractRegistryOptions {
  dir: string;
  store: ContractStore;
  resolver: ContextResolver;
  /** The issuers party names may refer to. */
  parties: PartyNames;
  /** The configured providers; none: API contracts are the operator's. */
  providers?: Providers;
  /** Copies of contexts and of good file versions, for a restart; none kept without it. */
  copies?: ContractCopies;
  /** Delay before a document waiting for its context is tried again, doubled up to `maxMs`. */
  retry?: { minMs: number; maxMs: number };
  onReloadError?: (err: unknown) => void;
  onReload?: (snapshot: PolicySnapshot) => void;
  /** A document's state changed: a new problem, or enabled again once its context came back. */
  onDocument?: (report: DocumentReport) => void;
  /** Changes other gateways make to the API contracts of the same store. */
  changes?: ChangeFeed;
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

/**
 * What is in force from one document. `enabled`: the document as written. `previous`:
 * it did not load, its previous version stays. `stored-copy`: it did not load at start,
 * its last good version kept in the store is in force. `disabled`: its context is
 * unavailable, its prohibitions alone are in force. `absent`: it did not load and nothing
 * of it was ever in force (a new document): nothing of it applies.
 */
export type DocumentState = 'enabled' | 'previous' | 'stored-copy' | 'disabled' | 'absent';

export interface DocumentReport {
  source: string;
  state: DocumentState;
  /** The uid in force from this document, if any. */
  uid?: string;
  /** Why it is not enabled as written: the message names the file and position, never its content. */
  problem?: { code: string; message: string; line?: number; column?: number };
  /** Its context is unavailable: the next attempt is in this many ms. */
  retryInMs?: number;
  /** Enabled again: its context came back. */
  recovered?: boolean;
}

interface Entry {
  /** Digest of the document as last read; undefined when it could not be read. */
  digest: string | undefined;
  inForce: CompiledContract | undefined;
  state: DocumentState;
  problem: ContractError | undefined;
  /** Its context was unavailable: tried again in the background. */
  waiting: boolean;
}

const SETTLE_CONCURRENCY = 8;

const isApiSource = (source: string): boolean => source.startsWith(API_SOURCE_PREFIX);

function stateOf(c: CompiledContract, otherwise: DocumentState): DocumentState {
  return c.disabled ? 'disabled' : otherwise;
}

const enabledEntry = (digest: string | undefined, contract: CompiledContract): Entry =>
  ({ digest, inForce: contract, state: 'enabled', problem: undefined, waiting: false });

function uidOf(doc: unknown): string | undefined {
  if (typeof doc !== 'object' || doc === null || Array.isArray(doc)) return undefined;
  const d = doc as Record<string, unknown>;
  const uid = d.uid ?? d['odrl:uid'] ?? d['@id'];
  return typeof uid === 'string' ? uid : undefined;
}

export class ContractRegistry {
  private current!: PolicySnapshot;
  private revision = 0;
  private entries = new Map<string, Entry>();
  private stopWatching: (() => void) | undefined;
  /** Serialises changes, so two concurrent edits cannot each overwrite the other's snapshot. */
  private chain: Promise<unknown> = Promise.resolve();
  private retryTimer: NodeJS.Timeout | undefined;
  private retryDelayMs: number | undefined;
  private attempts = 0;
  private closed = false;
  private stopListening: (() => void) | undefined;

  private constructor(private readonly opts: ContractRegistryOptions) {}

  static async open(opts: ContractRegistryOptions): Promise<ContractRegistry> {
    const r = new ContractRegistry(opts);
    await r.refresh(readContractDir(opts.dir), 'start');
    r.stopListening = opts.changes?.subscribe({
      change: async (e) => { if (e.kind === 'contract') await r.storedChanged(e.provider, e.uid); },
      resync: async () => { await r.reload(); },
    });
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

  /** The API documents; one whose provider is no longer configured is refused on its own. */
  private async storedDocuments(): Promise<DocumentRead[]> {
    const stored = await this.opts.store.list();
    return stored.map((s) => {
      try {
        return this.apiDocument(s.provider, s.uid, s.document);
      } catch (err) {
        if (!(err instanceof ContractError)) throw err;
        return { source: API_SOURCE_PREFIX + apiContractKey(s.provider, s.uid), error: err };
      }
    });
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

  private serial<T>(task: () => Promise<T>): Promise<T> {
    const run = this.chain.then(task, task);
    this.chain = run.catch(() => undefined);
    return run;
  }

  /** The snapshot of what every document has in force now. */
  private built(): PolicySnapshot {
    return snapshotOf([...this.entries.values()].flatMap((e) => (e.inForce ? [e.inForce] : [])));
  }

  /**
   * Settles one document against what it had in force before. Whatever goes wrong with
   * it, the result is reported and the other documents are not affected.
   */
  private async settle(read: DocumentRead, before: Entry | undefined): Promise<Entry> {
    if ('error' in read) return this.fallback(read.source, undefined, read.error, before);
    const digest = canonicalDigest(read.doc);
    const outcome = await loadDocument(read, this.opts.resolver, this.opts.parties, this.opts.copies);
    if (outcome.status === 'enabled') return enabledEntry(digest, outcome.contract);
    if (outcome.status === 'failed') return this.fallback(read.source, digest, outcome.problem, before);
    // Its context is unavailable: a version that was enabled stays in force meanwhile.
    if (before?.inForce && !before.inForce.disabled) return { ...before, digest, state: 'previous', problem: outcome.problem, waiting: true };
    return { digest, inForce: outcome.contract, state: 'disabled', problem: outcome.problem, waiting: true };
  }

  /** A document that does not load keeps its previous version, else its last good copy, else nothing. */
  private async fallback(source: string, digest: string | undefined, problem: ContractError, before: Entry | undefined): Promise<Entry> {
    if (before?.inForce) return { digest, inForce: before.inForce, state: stateOf(before.inForce, 'previous'), problem, waiting: false };
    const copy = isApiSource(source) ? undefined : await this.opts.copies?.fileCopy(source);
    if (copy !== undefined) {
      const outcome = await loadDocument({ source, doc: copy }, this.opts.resolver, this.opts.parties, this.opts.copies);
      if (outcome.status !== 'failed') {
        return { digest, inForce: outcome.contract, state: stateOf(outcome.contract, 'stored-copy'), problem, waiting: outcome.status === 'disabled' };
      }
    }
    return { digest, inForce: undefined, state: 'absent', problem, waiting: false };
  }

  /**
   * Two documents under one key (a contract file's uid, a provider's `<provider>/<uid>`):
   * the one that held it keeps it (else the first by name), the other is refused.
   */
  private dedupe(next: Map<string, Entry>): void {
    const held = (source: string): number => (this.current?.contracts.get(next.get(source)?.inForce?.key ?? '')?.source === source ? 0 : 1);
    const order = [...next.keys()].sort((a, b) => held(a) - held(b) || (a < b ? -1 : a > b ? 1 : 0));
    const owner = new Map<string, string>();
    for (const source of order) {
      const e = next.get(source);
      if (e?.inForce === undefined) continue;
      const first = owner.get(e.inForce.key);
      if (first === undefined) {
        owner.set(e.inForce.key, source);
        continue;
      }
      const problem = new ContractError('ERR_CONTRACT_DUPLICATE_UID', { source }, e.inForce.uid, `contract uid already used by ${first}`);
      next.set(source, { digest: e.digest, inForce: undefined, state: 'absent', problem, waiting: false });
    }
  }

  /**
   * Re-reads every document and puts the result in force. A folder that is not there
   * (mid-replacement) keeps the file contracts as they are; at start it holds none.
   * A retry only installs a new snapshot when some document changed state.
   */
  private async refresh(folder: FolderRead, trigger: 'start' | 'change' | 'retry'): Promise<PolicySnapshot> {
    const reads: DocumentRead[] = [...folder.files, ...(await this.storedDocuments())];
    const next = new Map<string, Entry>();
    if (!folder.present) for (const [source, e] of this.entries) if (!isApiSource(source)) next.set(source, e);
    // Concurrently, so documents waiting on unreachable context hosts wait together, not in turn.
    const settled = await mapLimited(reads, SETTLE_CONCURRENCY, (read) => this.settle(read, this.entries.get(read.source)));
    reads.forEach((read, i) => next.set(read.source, settled[i] as Entry));
    this.dedupe(next);
    await this.copyChangedFiles(reads, settled);
    if (folder.present) await this.opts.copies?.keepFileCopies(folder.files.map((f) => f.source));
    const signature = (m: ReadonlyMap<string, Entry>): string =>
      [...m].map(([s, e]) => `${s}|${e.digest ?? ''}|${e.state}|${e.inForce?.disabled?.prohibitions ?? ''}|${e.problem?.message ?? ''}`).join('\n');
    const unchanged = trigger === 'retry' && signature(next) === signature(this.entries);
    const before = this.entries;
    this.entries = next;
    this.scheduleRetry();
    if (unchanged) return this.current;
    const snapshot = this.install(this.built());
    this.report(before, next);
    if (trigger !== 'start') this.opts.onReload?.(snapshot);
    return snapshot;
  }

  /**
   * Keeps a copy of each contract file enabled as written whose content changed since it
   * was last read, all in one write (at start: every file).
   */
  private async copyChangedFiles(reads: readonly DocumentRead[], settled: readonly Entry[]): Promise<void> {
    if (this.opts.copies === undefined) return;
    const changed: Array<{ source: string; document: unknown }> = [];
    reads.forEach((read, i) => {
      const e = settled[i];
      if ('error' in read || isApiSource(read.source) || e?.state !== 'enabled') return;
      if (this.entries.get(read.source)?.digest !== e.digest) changed.push({ source: read.source, document: read.doc });
    });
    await this.opts.copies.putFileCopies(changed, new Date().toISOString());
  }

  /** Tells about documents with a new problem, and those enabled again. */
  private report(before: ReadonlyMap<string, Entry>, after: ReadonlyMap<string, Entry>): void {
    for (const [source, e] of after) {
      const was = before.get(source);
      if (e.problem !== undefined) {
        if (was?.problem?.message === e.problem.message && was.state === e.state) continue;
        this.opts.onDocument?.(this.reportOf(source, e));
      } else if (was?.waiting === true) {
        this.opts.onDocument?.({ ...this.reportOf(source, e), recovered: true });
      }
    }
  }

  private reportOf(source: string, e: Entry): DocumentReport {
    const p = e.problem;
    return {
      source,
      state: e.state,
      ...(e.inForce ? { uid: e.inForce.uid } : {}),
      ...(p ? { problem: { code: p.code, message: p.message, ...(p.line !== undefined ? { line: p.line, column: p.column ?? 1 } : {}) } } : {}),
      ...(e.waiting && this.retryDelayMs !== undefined ? { retryInMs: this.retryDelayMs } : {}),
    };
  }

  /** What is in force from each document, and why not more. */
  documents(): DocumentReport[] {
    return [...this.entries].map(([source, e]) => this.reportOf(source, e));
  }

  /** Documents waiting for their context are tried again after a delay that doubles each time. */
  private scheduleRetry(): void {
    clearTimeout(this.retryTimer);
    this.retryTimer = undefined;
    if (this.closed || ![...this.entries.values()].some((e) => e.waiting)) {
      this.attempts = 0;
      this.retryDelayMs = undefined;
      return;
    }
    const { minMs, maxMs } = this.opts.retry ?? { minMs: 1000, maxMs: 300_000 };
    this.retryDelayMs = Math.min(maxMs, minMs * 2 ** Math.min(this.attempts, 30));
    this.attempts += 1;
    this.retryTimer = setTimeout(() => {
      if (this.closed) return;
      this.serial(() => this.refresh(readContractDir(this.opts.dir), 'retry')).catch((err: unknown) => {
        this.opts.onReloadError?.(err);
        this.scheduleRetry();
      });
    }, this.retryDelayMs);
    this.retryTimer.unref();
  }

  /**
   * One API contract changed in the store (by another gateway on it): reads it again and
   * puts the result in force, or takes it out when it was deleted. A document that does
   * not load keeps what it had in force, as on reload.
   */
  storedChanged(provider: string | null, uid: string): Promise<PolicySnapshot> {
    return this.serial(async () => {
      const source = API_SOURCE_PREFIX + apiContractKey(provider, uid);
      const stored = await this.opts.store.get(provider, uid);
      let entry: Entry | undefined;
      if (stored !== undefined) {
        let read: DocumentRead;
        try {
          read = this.apiDocument(provider, uid, stored.document);
        } catch (err) {
          if (!(err instanceof ContractError)) throw err;
          read = { source, error: err };
        }
        entry = await this.settle(read, this.entries.get(source));
      }
      const before = new Map(this.entries);
      const snapshot = this.install(this.withEntry(source, entry));
      this.report(before, this.entries);
      this.opts.onReload?.(snapshot);
      return snapshot;
    });
  }

  /** Re-read the folder and the store; each document that does not load keeps what it had in force. */
  reload(): Promise<PolicySnapshot> {
    return this.serial(() => this.refresh(readContractDir(this.opts.dir), 'change'));
  }

  /** One API document, compiled for `put`: it must load as written, context included. */
  private async entryFor(d: ContractDocument): Promise<Entry> {
    return enabledEntry(canonicalDigest(d.doc), await compileDocument(d, this.opts.resolver, this.opts.parties));
  }

  /**
   * The snapshot with `source` holding `entry` (or nothing): the one in force changed in
   * the buckets of that one contract, when the order of the others is sure to stay (it
   * replaces or removes what the source had, or a new source adds one at the end);
   * otherwise built again from every document.
   */
  private withEntry(source: string, entry: Entry | undefined): PolicySnapshot {
    const had = this.entries.has(source);
    const before = this.entries.get(source)?.inForce;
    const after = entry?.inForce;
    if (entry) this.entries.set(source, entry);
    else this.entries.delete(source);
    const current = this.current.contracts;
    const inPlace = before !== undefined && current.get(before.key) === before && (after === undefined || after.key === before.key);
    const appended = before === undefined && !had && after !== undefined && !current.has(after.key);
    if (inPlace) return snapshotWith(this.current, before.key, after);
    if (appended) return snapshotWith(this.current, after.key, after);
    if (before === undefined && after === undefined) return this.current;
    return this.built();
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

  /**
   * Every problem of one document, errors and warnings, placed in `text` (the document as
   * sent), checked as `validate` checks it (validate.ts); nothing changes. `roles` are those
   * roles.csv grants something to.
   */
  check(doc: unknown, provider: string | null, text: string | undefined, roles: ReadonlySet<string>): Promise<Validation> {
    const source = 'request';
    return validateDocument(
      { source, doc, api: this.placement(provider, source), ...(text !== undefined ? { text } : {}) },
      { resolver: this.opts.resolver, parties: this.opts.parties, roles },
    );
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
   * contract file's; it must compile on its own, context included (and within what its
   * provider owns), pass `authorize`, and only then is it stored and swapped in; other
   * documents that do not load do not stand in its way.
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
      const entry = await this.entryFor(added);
      opts.authorize?.(entry.inForce, previous);
      await this.opts.store.put(provider, uid, doc, new Date().toISOString());
      const next = this.install(this.withEntry(added.source, entry));
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
        this.opts.onReload?.(this.install(this.withEntry(API_SOURCE_PREFIX + apiContractKey(provider, uid), undefined)));
      }
      return deleted;
    });
  }

  close(): void {
    this.closed = true;
    this.stopListening?.();
    clearTimeout(this.retryTimer);
    this.stopWatching?.();
    this.stopWatching = undefined;
  }
}
