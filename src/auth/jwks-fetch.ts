/**
 * The fetch used for remote JWKS. jose refreshes a key set on an unknown `kid` no more
 * than once per cooldown, but retries a failed fetch on every request; this fetch adds the
 * same floor after a failure, so an unreachable issuer is not hammered by each incoming
 * call. It also bounds the body size and checks the JSON shape before jose sees it.
 */
import type { FetchImplementation } from 'jose';
import { isObject, readBounded } from '../lib/index.js';
import { JwksFetchError } from './token-errors.js';

/** `held_back`: no request was made, a recent failure is still within its cooldown. */
export type JwksFetchOutcome = 'ok' | 'failed' | 'held_back';

export interface JwksFetchOptions {
  /** After a failure, no new attempt for this long. */
  cooldownMs: number;
  maxBytes: number;
  /** Monotonic clock in milliseconds. */
  now: () => number;
  /** Told of every fetch (metrics); must not throw. */
  onFetch?: (outcome: JwksFetchOutcome) => void;
}

async function readLimited(response: Response, maxBytes: number): Promise<string> {
  const declared = Number(response.headers.get('content-length'));
  if (declared > maxBytes) {
    await response.body?.cancel();
    throw new JwksFetchError('JWKS response is too large');
  }
  if (response.body === null) return '';
  const body = await readBounded(response.body, maxBytes);
  if (body === undefined) throw new JwksFetchError('JWKS response is too large');
  return body.toString('utf8');
}


/** Same shape test jose applies, so a set that passes here is not refused later (and retried at once). */
function isKeySet(value: unknown): boolean {
  if (!isObject(value)) return false;
  const keys = (value as { keys?: unknown }).keys;
  return Array.isArray(keys) && keys.every(isObject);
}

/** One instance per remote key set: the failure floor is per issuer. */
export function createJwksFetch(opts: JwksFetchOptions): FetchImplementation {
  // Network back-off is about time passing, not token validity: a monotonic clock.
  let failedAt: number | undefined;

  const fail = (message: string, cause?: unknown): never => {
    failedAt = opts.now();
    opts.onFetch?.('failed');
    throw new JwksFetchError(message, { cause });
  };

  return async (url, init) => {
    if (failedAt !== undefined && opts.now() - failedAt < opts.cooldownMs) {
      opts.onFetch?.('held_back');
      throw new JwksFetchError('JWKS fetch held back after a recent failure');
    }
    let response: Response;
    try {
      response = await fetch(url, init);
    } catch (cause) {
      return fail('JWKS endpoint unreachable', cause);
    }
    if (response.status !== 200) {
      await response.body?.cancel().catch(() => undefined);
      return fail(`JWKS endpoint answered HTTP ${response.status}`);
    }
    let text: string;
    let json: unknown;
    try {
      text = await readLimited(response, opts.maxBytes);
      json = JSON.parse(text);
    } catch (cause) {
      return fail(cause instanceof JwksFetchError ? cause.message : 'JWKS response is not JSON', cause);
    }
    if (!isKeySet(json)) return fail('JWKS response is not a key set');
    failedAt = undefined;
    opts.onFetch?.('ok');
    return new Response(text, { status: 200, headers: { 'content-type': 'application/json' } });
  };
}
