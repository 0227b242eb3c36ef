import { readFileSync } from 'node:fs';
import { Pool, errors as undiciErrors } from 'undici';
import { MimtrustError } from '../errors/index.js';
import type { Config } from '../config/index.js';
import type { UpstreamAuth } from '../upstream/index.js';
import { WholeResponseHandler, type WholeResponse } from './whole-response.js';

export type UpstreamResponse = WholeResponse;

/** Told of every round trip to the broker (metrics); must not throw. */
export interface UpstreamObserver {
  /** `failure` is the refusal reason of a round trip that failed, or `server_error` for a 5xx answer. */
  roundTrip(seconds: number, failure: string | undefined): void;
}

export interface UpstreamRequest {
  method: string;
  /** Path and query, already canonical, relative to the upstream's base (starts with '/'). */
  path: string;
  headers: Record<string, string>;
  body?: Buffer | string;
  /** Ends the round trip early (the readiness probe has its own, shorter, patience). */
  signal?: AbortSignal;
}

/**
 * The connection pool to the NGSI-LD broker. Every failure is turned into a 502 (the
 * broker could not be reached or answered nonsense) or a 504 (it was too slow), quickly:
 * connect and response timeouts are bounded so a request never hangs. With `upstream.auth`
 * every request carries the gateway's own credential, set last so no caller header can
 * stand in for it; without one (the token endpoint down) the request is not sent.
 */
export class Upstream {
  private readonly pool: Pool;
  private readonly prefix: string;
  readonly origin: string;

  constructor(
    private readonly cfg: Config['upstream'],
    private readonly auth?: UpstreamAuth,
    private readonly observer?: UpstreamObserver,
  ) {
    const url = new URL(cfg.url);
    this.origin = url.origin;
    this.prefix = url.pathname.replace(/\/+$/, '');
    this.pool = new Pool(url.origin, {
      connections: cfg.connections,
      pipelining: 1,
      connect: {
        timeout: cfg.connectTimeoutMs,
        ...(cfg.caFile ? { ca: readFileSync(cfg.caFile) } : {}),
      },
      headersTimeout: cfg.responseTimeoutMs,
      bodyTimeout: cfg.responseTimeoutMs,
      keepAliveTimeout: 30_000,
    });
  }

  async send(req: UpstreamRequest): Promise<UpstreamResponse> {
    let headers = req.headers;
    if (this.auth) headers = { ...headers, [this.auth.header]: await this.auth.value() };
    const t0 = performance.now();
    let res: WholeResponse;
    try {
      res = await this.exchange(req, headers);
    } catch (err) {
      const e = toUpstreamError(err);
      this.observer?.roundTrip((performance.now() - t0) / 1000, e.reason);
      throw e;
    }
    if (res.status === 401) this.auth?.rejected();
    this.observer?.roundTrip((performance.now() - t0) / 1000, res.status >= 500 ? 'server_error' : undefined);
    return res;
  }

  /** One round trip, the answer read whole (up to `maxResponseBytes`). */
  private exchange(req: UpstreamRequest, headers: Record<string, string>): Promise<WholeResponse> {
    return new Promise((resolve, reject) => {
      const handler = new WholeResponseHandler(
        this.cfg.maxResponseBytes,
        (err, res) => {
          if (!err) return resolve(res!);
          // Refused credentials are refused even if the answer then breaks off.
          if (handler.status === 401) this.auth?.rejected();
          reject(err);
        },
        req.signal,
      );
      this.pool.dispatch({ method: req.method as 'GET', path: this.prefix + req.path, headers, body: req.body }, handler);
    });
  }

  close(): Promise<void> {
    return this.pool.close();
  }
}

function toUpstreamError(err: unknown): MimtrustError {
  if (err instanceof MimtrustError) return err;
  if (err instanceof undiciErrors.HeadersTimeoutError || err instanceof undiciErrors.BodyTimeoutError) {
    return new MimtrustError('GATEWAY_TIMEOUT', 'The broker did not answer in time.', { reason: 'upstream_timeout', cause: err });
  }
  if (err instanceof undiciErrors.ConnectTimeoutError) {
    return new MimtrustError('GATEWAY_TIMEOUT', 'The broker could not be reached in time.', { reason: 'upstream_connect_timeout', cause: err });
  }
  return new MimtrustError('BAD_GATEWAY', 'The broker could not be reached.', { reason: 'upstream_unreachable', cause: err });
}
