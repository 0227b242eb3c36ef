/**
 * DPoP replay detection across the processes of a deployment (RFC 9449 §11.1): a proof
 * first passes this process's own cache (DpopReplayCache: no round trip for a proof replayed
 * to the same process), then is taken once in the store every instance and worker shares,
 * so a proof replayed to another one is refused there too. Both know a proof by the same
 * key (proofKey).
 */
import type { ExpiringKeys, KeyKind } from '../lib/index.js';
import { proofKey, type DpopReplayCache } from './dpop-replay.js';

export type ReplayUse = 'fresh' | 'replayed' | 'full';

/** Records a proof's use; 'fresh' the first time anywhere. */
export type ReplayCheck = (jkt: string, jti: string, acceptedUntilSec: number, nowSec: number) => ReplayUse | Promise<ReplayUse>;

export function localReplay(cache: DpopReplayCache): ReplayCheck {
  return (jkt, jti, until, now) => cache.use(jkt, jti, until, now);
}

/** Local first, then shared: a store that cannot be reached rejects, and the proof is refused. */
export function sharedReplay(cache: DpopReplayCache, keys: ExpiringKeys, max: number): ReplayCheck {
  const kind: KeyKind = { name: 'dpop-jti', max };
  return async (jkt, jti, until, now) => {
    const key = proofKey(jkt, jti);
    const local = cache.useKey(key, until, now);
    if (local !== 'fresh') return local;
    const shared = await keys.takeOnce(kind, key, until * 1000);
    return shared === 'taken' ? 'replayed' : shared;
  };
}
