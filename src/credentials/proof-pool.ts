/**
 * A small pool of worker threads for the costly part of verification, the Data Integrity
 * proofs of a credential or a presentation (RDF canonicalisation and the signature
 * checks), so that it runs beside the event loop instead of on it. Bounded: at most
 * `maxQueue` proofs are in the pool; beyond that, or past `timeoutMs`, or when a worker
 * fails, the proof is refused (a CredentialError), never taken as verified. The worker
 * (proof-worker.ts, run as TypeScript from the sources) loads only what it is handed: the
 * contexts at its start, the DID documents with each job.
 */
import { Worker } from 'node:worker_threads';
import { workerScript } from '../lib/index.js';
import { CredentialError } from './errors.js';
import type { DidDocument } from './did-resolution.js';

export type ProofTask =
  | { kind: 'credential'; credential: Record<string, unknown> }
  | { kind: 'presentation'; presentation: Record<string, unknown>; challenge: string; domain?: string; known: boolean[] };

export type ProofJob = ProofTask & { id: number; dids: Array<[string, DidDocument]>; now: number };

export interface ProofAnswer {
  id: number;
  /** True only when the proof holds. */
  verified: boolean;
  /** Why the proof does not hold. */
  failure?: { reason: string; message: string };
  /** For a presentation: whether each credential's proof held. */
  credentialProofs?: boolean[];
}

export interface ProofPoolOptions {
  size: number;
  maxQueue: number;
  timeoutMs: number;
  /** Contexts beside the packaged ones (the gateway's own, under its address). */
  contexts: Array<[string, unknown]>;
  /** The worker's script; default: proof-worker beside this module. */
  script?: URL;
}

interface Pending {
  resolve: (a: ProofAnswer) => void;
  reject: (e: Error) => void;
  /** Started when the job's worker is ready (loading the libraries is not the job's time). */
  timer: NodeJS.Timeout | undefined;
  worker: Slot;
}

interface Slot {
  worker: Worker;
  busy: number;
  /** Set once the worker has loaded and said so. */
  ready: boolean;
  /** Settles when it has (or has failed to). */
  loaded: Promise<void>;
}

/** What a worker posts once it has loaded, before any answer. */
export const WORKER_READY = 'ready';
/** How long a worker may take to load before the jobs waiting for it are refused. */
const START_MS = 60_000;

export class ProofPool {
  private readonly slots: Slot[] = [];
  private readonly pending = new Map<number, Pending>();
  private nextId = 1;
  private closed = false;

  constructor(private readonly opts: ProofPoolOptions) {}

  /** Workers start with the first proof, so a gateway that checks none runs none. */
  private start(): void {
    if (this.slots.length === 0 && !this.closed) for (let i = 0; i < Math.max(1, this.opts.size); i++) this.slots.push(this.spawn());
  }

  private spawn(): Slot {
    const script = this.opts.script === undefined ? workerScript('proof-worker', import.meta.url) : { url: this.opts.script, execArgv: undefined };
    const worker = new Worker(script.url, { workerData: { contexts: this.opts.contexts }, ...(script.execArgv ? { execArgv: script.execArgv } : {}) });
    let loaded = (): void => {};
    const slot: Slot = { worker, busy: 0, ready: false, loaded: new Promise<void>((resolve) => { loaded = resolve; }) };
    const refuseLate = setTimeout(() => { if (!slot.ready) void worker.terminate(); }, START_MS);
    refuseLate.unref();
    worker.on('message', (answer: ProofAnswer | typeof WORKER_READY) => {
      if (answer !== WORKER_READY) return this.settle(answer.id, (p) => p.resolve(answer));
      slot.ready = true;
      loaded();
      clearTimeout(refuseLate);
      for (const [id, p] of this.pending) if (p.worker === slot && p.timer === undefined) p.timer = this.timer(id);
    });
    const fail = (): void => {
      loaded();
      clearTimeout(refuseLate);
      for (const [id, p] of this.pending) if (p.worker === slot) this.settle(id, (q) => q.reject(new CredentialError('verification_unavailable', 'The proof could not be checked.')));
      if (this.closed) return;
      const i = this.slots.indexOf(slot);
      if (i !== -1) this.slots[i] = this.spawn();
    };
    worker.on('error', fail);
    worker.on('exit', fail);
    worker.unref();
    return slot;
  }

  private settle(id: number, act: (p: Pending) => void): void {
    const p = this.pending.get(id);
    if (p === undefined) return;
    this.pending.delete(id);
    clearTimeout(p.timer);
    p.worker.busy--;
    act(p);
  }

  private timer(id: number): NodeJS.Timeout {
    return setTimeout(() => this.settle(id, (p) => p.reject(new CredentialError('verification_unavailable', 'The proof could not be checked in time.'))), this.opts.timeoutMs);
  }

  /** Starts the workers now rather than with the first proof; settles once each has loaded or failed. */
  async started(): Promise<void> {
    this.start();
    await Promise.all(this.slots.map((s) => s.loaded));
  }

  /** Whether a worker is ready and has nothing to do (the first ask starts the workers). */
  idle(): boolean {
    this.start();
    return !this.closed && this.slots.some((s) => s.ready && s.busy === 0);
  }

  /** The proof's verdict; a CredentialError when the pool is full, slow or failing. */
  verify(task: ProofTask, dids: Map<string, DidDocument>, now: number): Promise<ProofAnswer> {
    if (this.closed || this.pending.size >= this.opts.maxQueue) {
      return Promise.reject(new CredentialError('verification_busy', 'Too many verifications are waiting; try again.'));
    }
    this.start();
    const slot = this.slots.reduce((a, b) => (b.busy < a.busy ? b : a));
    const id = this.nextId++;
    return new Promise<ProofAnswer>((resolve, reject) => {
      this.pending.set(id, { resolve, reject, timer: slot.ready ? this.timer(id) : undefined, worker: slot });
      slot.busy++;
      const job: ProofJob = { ...task, id, dids: [...dids], now };
      slot.worker.postMessage(job);
    });
  }

  async close(): Promise<void> {
    this.closed = true;
    for (const id of [...this.pending.keys()]) this.settle(id, (p) => p.reject(new CredentialError('verification_unavailable', 'The gateway is closing.')));
    await Promise.all(this.slots.map((s) => s.worker.terminate()));
  }
}
