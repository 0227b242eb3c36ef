/**
 * A remote JWKS as jose's `createRemoteJWKSet` keeps it (fetch on first use, again when
 * the set is older than `cacheMaxAgeMs`, and for an unknown `kid` at most once per
 * `cooldownMs`; concurrent callers share one fetch), but on a clock that is passed in,
 * so refresh and cooldown can be reasoned about and tested without waiting. Key
 * selection and import stay jose's (`createLocalJWKSet`).
 */
import { createLocalJWKSet, errors, type FetchImplementation, type JSONWebKeySet, type JWTVerifyGetKey } from 'jose';

export interface RemoteKeySetOptions {
  cooldownMs: number;
  cacheMaxAgeMs: number;
  timeoutMs: number;
  /** Fetches and checks the set (size, shape, failure floor): see jwks-fetch.ts. */
  fetch: FetchImplementation;
  /** Monotonic clock in milliseconds. */
  now: () => number;
}

export interface RemoteKeySet {
  key: JWTVerifyGetKey;
  /** Fetches the set now; concurrent calls share one fetch. */
  reload(): Promise<void>;
}

export function createRemoteKeySet(url: URL, opts: RemoteKeySetOptions): RemoteKeySet {
  let local: JWTVerifyGetKey | undefined;
  let fetchedAt = 0;
  let pending: Promise<void> | undefined;

  const age = (): number => opts.now() - fetchedAt;

  async function load(): Promise<void> {
    let response: Response;
    try {
      response = await opts.fetch(url.href, {
        method: 'GET',
        headers: new Headers({ accept: 'application/json, application/jwk-set+json' }),
        redirect: 'manual',
        signal: AbortSignal.timeout(opts.timeoutMs),
      });
    } catch (err) {
      if (err instanceof Error && err.name === 'TimeoutError') throw new errors.JWKSTimeout();
      throw err;
    }
    const next = createLocalJWKSet((await response.json()) as JSONWebKeySet);
    local = next;
    fetchedAt = opts.now();
  }

  const reload = (): Promise<void> => (pending ??= load().finally(() => { pending = undefined; }));

  const key: JWTVerifyGetKey = async (header, token) => {
    if (local === undefined || age() >= opts.cacheMaxAgeMs) await reload();
    const current = local as JWTVerifyGetKey;
    try {
      return await current(header, token);
    } catch (err) {
      // A key rotated in since the last fetch: look again, but not more often than the cooldown.
      if (!(err instanceof errors.JWKSNoMatchingKey) || age() < opts.cooldownMs) throw err;
      await reload();
      return (local as JWTVerifyGetKey)(header, token);
    }
  };

  return { key, reload };
}
