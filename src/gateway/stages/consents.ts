import type { ConsentGrant } from '../../policy/index.js';
import { extend, type Authenticated } from '../exchange.js';

/** Finds the consents a token rests on; refuses the token when one no longer holds (src/consent). */
export interface ConsentLookup {
  forToken(ids: readonly string[], now: number): Promise<ConsentGrant[]>;
}

/**
 * Consents: the consent records the token names, as the decision reads them. A token
 * resting on a consent that was withdrawn, has expired or does not exist is refused here,
 * on its very next use. Without a lookup (no consent store), a token naming consents
 * rests on nothing: its consent-bound permissions never apply.
 */
export function lookUpConsents(deps: { consents?: ConsentLookup | undefined }): (r: Authenticated) => Promise<Authenticated> {
  return async (r) => {
    const ids = r.token.consents;
    if (ids === undefined || deps.consents === undefined) return r;
    return extend(r, { consents: await deps.consents.forToken(ids, r.startedAt) });
  };
}
