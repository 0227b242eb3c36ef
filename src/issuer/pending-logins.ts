/**
 * Logins through the upstream provider between the redirect there and the return here:
 * the interaction each belongs to, its PKCE verifier and nonce, under its `state`. Kept in
 * memory for a single gateway, or in the issuer's store (as a model of its own beside
 * oidc-provider's) when instances share one, since the upstream may send the browser back
 * to another instance than the one that sent it there. Either way a state is used once.
 */
import { TtlCache } from '../lib/index.js';
import type { ModelAdapter } from './model-store.js';

export interface PendingLogin {
  uid: string;
  verifier: string;
  nonce: string;
}

export interface PendingLogins {
  put(state: string, login: PendingLogin, ttlMs: number): Promise<void>;
  /** The pending login, still usable. */
  get(state: string): Promise<PendingLogin | undefined>;
  /** The pending login, used up: of two takes of one state, one gets it. */
  take(state: string): Promise<PendingLogin | undefined>;
}

const MAX_PENDING = 10_000;

export function pendingInMemory(now: () => number = Date.now): PendingLogins {
  const pending = new TtlCache<string, PendingLogin>(MAX_PENDING, now);
  return {
    put: async (state, login, ttlMs) => pending.set(state, login, now() + ttlMs),
    get: async (state) => pending.get(state),
    take: async (state) => {
      const login = pending.get(state);
      pending.delete(state);
      return login;
    },
  };
}

function asPending(payload: unknown): PendingLogin | undefined {
  const p = payload as Partial<PendingLogin & { consumed: unknown }> | undefined;
  if (p === undefined || p.consumed !== undefined) return undefined;
  return typeof p.uid === 'string' && typeof p.verifier === 'string' && typeof p.nonce === 'string' ? { uid: p.uid, verifier: p.verifier, nonce: p.nonce } : undefined;
}

/** Pending logins as rows of the issuer's store, one model (`UpstreamLogin`) among oidc-provider's. */
export function pendingInStore(adapter: ModelAdapter): PendingLogins {
  return {
    put: async (state, login, ttlMs) => {
      await adapter.upsert(state, { ...login }, Math.ceil(ttlMs / 1000));
    },
    get: async (state) => asPending(await adapter.find(state)),
    take: async (state) => {
      const found = asPending(await adapter.find(state));
      // The conditional consume decides which of two takes gets it.
      if (found === undefined || !await adapter.consume(state)) return undefined;
      await adapter.destroy(state);
      return found;
    },
  };
}
