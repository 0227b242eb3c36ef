/**
 * Sends each checkpoint to a witness, a service run by someone else that keeps what it
 * is sent, so that even the anchor file can be checked against a third copy. Best effort
 * and never in a request's way: a bounded queue (the oldest are dropped first, since a
 * later checkpoint vouches for the whole chain before it), retries with backoff, failures
 * logged.
 */
import type { AuditCheckpoint } from './types.js';

export interface WitnessOptions {
  url: string;
  /** Time allowed for one POST. */
  timeoutMs: number;
  /** Checkpoints waiting at most; beyond it the oldest is dropped. */
  maxQueue: number;
  /** First retry delay; doubles per failure up to retryMaxMs. */
  retryBaseMs: number;
  retryMaxMs: number;
  onError: (err: unknown, msg: string) => void;
}

export class WitnessClient {
  private queue: AuditCheckpoint[] = [];
  private running: Promise<void> | undefined;
  private closed = false;
  private failures = 0;
  private wake: (() => void) | undefined;
  private timer: NodeJS.Timeout | undefined;

  constructor(private readonly opts: WitnessOptions) {}

  /** Number of checkpoints not yet accepted by the witness. */
  get pending(): number {
    return this.queue.length;
  }

  send(cp: AuditCheckpoint): void {
    if (this.closed) return;
    this.queue.push(cp);
    if (this.queue.length > this.opts.maxQueue) {
      const dropped = this.queue.splice(0, this.queue.length - this.opts.maxQueue);
      this.opts.onError(undefined, `audit witness queue full: checkpoints up to record ${dropped[dropped.length - 1]!.seq} not sent`);
    }
    this.running ??= this.pump().finally(() => { this.running = undefined; });
  }

  private async pump(): Promise<void> {
    while (!this.closed && this.queue.length > 0) {
      const cp = this.queue[0] as AuditCheckpoint;
      try {
        await this.post(cp);
        if (this.queue[0] === cp) this.queue.shift();
        this.failures = 0;
      } catch (err) {
        this.failures++;
        this.opts.onError(err, `audit witness did not take the checkpoint at record ${cp.seq} (attempt ${this.failures})`);
        await this.pause(Math.min(this.opts.retryMaxMs, this.opts.retryBaseMs * 2 ** (this.failures - 1)));
      }
    }
  }

  private async post(cp: AuditCheckpoint): Promise<void> {
    const res = await fetch(this.opts.url, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ seq: cp.seq, hash: cp.hash, time: cp.time, kid: cp.kid, signature: cp.signature }),
      signal: AbortSignal.timeout(this.opts.timeoutMs),
      redirect: 'error',
    });
    await res.body?.cancel();
    if (res.status < 200 || res.status >= 300) throw new Error(`witness answered ${res.status}`);
  }

  private pause(ms: number): Promise<void> {
    if (this.closed) return Promise.resolve();
    return new Promise((resolve) => {
      this.wake = resolve;
      this.timer = setTimeout(resolve, ms);
      this.timer.unref();
    });
  }

  /** Stops sending; what is still queued is not sent. */
  async close(): Promise<void> {
    this.closed = true;
    if (this.timer) clearTimeout(this.timer);
    this.wake?.();
    await this.running;
  }
}
