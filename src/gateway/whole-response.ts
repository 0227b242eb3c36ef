import { errors as undiciErrors, util as undiciUtil, type Dispatcher } from 'undici';
import { MimtrustError } from '../errors/index.js';

export interface WholeResponse {
  status: number;
  headers: Record<string, string | string[] | undefined>;
  body: Buffer;
}

/**
 * A broker response read whole into memory, straight from the connection's parser: the
 * gateway needs every byte before it can filter or audit, so the readable stream and the
 * async iteration over it that `request()` would set up for each response are work
 * for nothing. Headers are parsed as `request()` parses them. A body that grows past `max`
 * aborts the exchange at once; so does `signal`.
 */
export class WholeResponseHandler implements Dispatcher.DispatchHandler {
  readonly #max: number;
  readonly #settle: (err: Error | null, res?: WholeResponse) => void;
  readonly #signal: AbortSignal | undefined;
  #abort: ((err: Error) => void) | undefined;
  #reason: Error | undefined;
  #status = 0;
  #headers: Record<string, string | string[] | undefined> = {};
  #chunks: Buffer[] = [];
  #size = 0;
  #done = false;

  constructor(max: number, settle: (err: Error | null, res?: WholeResponse) => void, signal?: AbortSignal) {
    this.#max = max;
    this.#settle = settle;
    this.#signal = signal;
    if (signal) {
      if (signal.aborted) this.#reason = abortReason(signal);
      else signal.addEventListener('abort', this.#onAbort, { once: true });
    }
  }

  /** The final answer's status once its headers are in; 0 before. */
  get status(): number {
    return this.#status;
  }

  readonly #onAbort = (): void => {
    this.#reason = abortReason(this.#signal!);
    this.#abort?.(this.#reason);
  };

  onConnect(abort: (err?: Error) => void): void {
    if (this.#reason) {
      abort(this.#reason);
      return;
    }
    this.#abort = abort;
  }

  onHeaders(statusCode: number, rawHeaders: Buffer[]): boolean {
    // 1xx answers are interim: the final one follows on the same exchange.
    if (statusCode < 200) return true;
    this.#status = statusCode;
    this.#headers = undiciUtil.parseHeaders(rawHeaders) as Record<string, string | string[] | undefined>;
    return true;
  }

  onData(chunk: Buffer): boolean {
    this.#size += chunk.length;
    if (this.#size > this.#max) {
      this.#chunks = [];
      this.#abort?.(new MimtrustError('BAD_GATEWAY', 'The broker response is larger than the configured limit.', { reason: 'upstream_response_too_large' }));
      return false;
    }
    this.#chunks.push(chunk);
    return true;
  }

  onComplete(): void {
    if (this.#finish()) return;
    const chunks = this.#chunks;
    const body = chunks.length === 1 ? chunks[0]! : Buffer.concat(chunks, this.#size);
    this.#settle(null, { status: this.#status, headers: this.#headers, body });
  }

  onError(err: Error): void {
    if (this.#finish()) return;
    this.#chunks = [];
    this.#settle(err);
  }

  /** True if the exchange had already ended (each ends once). */
  #finish(): boolean {
    if (this.#done) return true;
    this.#done = true;
    this.#signal?.removeEventListener('abort', this.#onAbort);
    return false;
  }
}

function abortReason(signal: AbortSignal): Error {
  return signal.reason instanceof Error ? signal.reason : new undiciErrors.RequestAbortedError();
}
