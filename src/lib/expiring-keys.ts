/**
 * Keys that expire, held where every process of a deployment sees them (the store): what
 * may be used only once (a DPoP proof, a login challenge) and what lives for a while
 * (a session, a sign-in under way). Each kind has its own bound, kept even when every
 * process adds to it: a flood is refused ('full'), never stored without limit, and a live
 * key is never dropped to make room. A store that cannot be reached rejects: callers
 * refuse what they cannot check.
 */
export interface KeyKind {
  /** Names the kind in the store: one namespace of keys. */
  name: string;
  /** Live keys of this kind held at most. */
  max: number;
}

export type TakeOnce = 'fresh' | 'taken' | 'full';

export interface ExpiringKeys {
  /**
   * Holds `key` (with `value`, when given) until `untilMs` (epoch ms): 'fresh' the first
   * time, 'taken' while it lives, 'full' when the kind is. Of two processes claiming one
   * key at once, one gets 'fresh'.
   */
  takeOnce(kind: KeyKind, key: string, untilMs: number, value?: string): Promise<TakeOnce>;
  /** Holds `value` under `key` until `untilMs`, replacing what was there; false when the kind is full. */
  put(kind: KeyKind, key: string, value: string, untilMs: number): Promise<boolean>;
  /** The live value under `key`. */
  get(kind: KeyKind, key: string): Promise<string | undefined>;
  /** The live value under `key`, removed in the same step: of two takers, one gets it. */
  take(kind: KeyKind, key: string): Promise<string | undefined>;
  delete(kind: KeyKind, key: string): Promise<void>;
}
