/**
 * What the issuer needs kept for oidc-provider (sessions, interactions, grants, codes,
 * tokens, replay ids): src/store implements it on SQLite and on PostgreSQL, where every
 * gateway instance on the database reads the same rows, so a login started on one
 * finishes on another and a token issued by one is known to all.
 */
import type { Adapter } from 'oidc-provider';

/**
 * oidc-provider's adapter for one model, except that `consume` resolves whether this very
 * call consumed the row: false when it was consumed already (or is gone). A code or a
 * refresh token is then redeemed once, even when two instances are asked at the same time.
 */
export interface ModelAdapter extends Omit<Adapter, 'consume'> {
  consume(id: string): Promise<boolean>;
}

export interface OidcModelStore {
  adapter(model: string): ModelAdapter;
  /** Removes at most `limit` expired rows; resolves how many it removed. */
  sweep(limit: number): Promise<number>;
}
