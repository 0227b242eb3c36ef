/**
 * A small pool of worker threads for the costly part of verification, the Data Integrity
 * proof (RDF canonicalisation and the signature check), so that it runs beside the event
 * loop instead of on it. Bounded: at most `maxQueue` proofs wait; beyond that, or past
 * `timeoutMs`, or when a worker fails, the proof is refused (a CredentialError), never
 * taken as verified. The worker (proof-worker.ts) loads only what it is handed: the
 * contexts at its start, the DID documents with each job.
 */
import { Worker } from 'node:worker_threads';
import { CredentialError } from './errors.js';
import type { DidDocument } from './did-resolution.js';

export interface ProofJob {
  id: number;
  credential: unknown;
  dids: Array<[string, DidDocument]>;
  now: number;
}

export interface ProofAnswer {
  id: number;
  verified: boolean;
  failure?: { reason: string; message: string };
}

export interface ProofPoolOptions {
  size: number;
  maxQueue: number;
  timeoutMs: number;
  /** Contexts beside the packaged ones (the gateway's own, under its address). */
  contexts: Array<[string, unknown]>;
  /** The worker's script; default: proof-worker.js beside this module (in dist/). */
  script?: URL;
}

interface Pending {
  resolve: (a: ProofAnswer) => void;
  reject: (e: Error) => void;
  timer: NodeJS.Timeout;
  worker: Slot;
}

interface Slot {
  worker: Worker;
  busy: number;
}

export class ProofPool {
  private readonly slots: Slot[] = [];
  private readonly pending = new Map<number, Pending>();
  private nextId = 1;
  private closed = false;

  constructor(private readonly opts: ProofPoolOptions) {
    for (let i = 0; i < Math.max(1, opts.size); i++) this.slots.push(this.spawn());
  }

  private spawn(): Slot {
    const worker = new Worker(this.opts.script ?? new URL('./proof-worker.js', import.meta.url), { workerData: { contexts: this.opts.contexts } });
    const slot: Slot = { worker, busy: 0 };
    worker.on('message', (answer: ProofAnswer) => this.settle(answer.id, (p) => p.resolve(answer)));
    const fail = (): void => {
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

  /** The proof's verdict; a CredentialError when the pool is full, slow or failing. */
  verify(credential: unknown, dids: Map<string, DidDocument>, now: number): Promise<ProofAnswer> {
    if (this.closed || this.pending.size >= this.opts.maxQueue) {
      return Promise.reject(new CredentialError('verification_busy', 'Too many verifications are waiting; try again.'));
    }
    const slot = this.slots.reduce((a, b) => (b.busy < a.busy ? b : a));
    const id = this.nextId++;
    return new Promise<ProofAnswer>((resolve, reject) => {
      const timer = setTimeout(() => this.settle(id, (p) => p.reject(new CredentialError('verification_unavailable', 'The proof could not be checked in time.'))), this.opts.timeoutMs);
      this.pending.set(id, { resolve, reject, timer, worker: slot });
      slot.busy++;
      const job: ProofJob = { id, credential, dids: [...dids], now };
      slot.worker.postMessage(job);
    });
  }

  async close(): Promise<void> {
    this.closed = true;
    for (const id of [...this.pending.keys()]) this.settle(id, (p) => p.reject(new CredentialError('verification_unavailable', 'The gateway is closing.')));
    await Promise.all(this.slots.map((s) => s.worker.terminate()));
  }
}
