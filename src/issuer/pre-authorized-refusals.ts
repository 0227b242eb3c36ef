/**
 * Refused redemptions of pre-authorized codes, kept per token request for the audit log: a
 * second use of a code names whose code it was, as OAuth asks a reused code to be noticed.
 * Apart from the grant so that the audit middleware can read them without loading
 * oidc-provider.
 */
import type { RedeemedOffer } from './pre-authorized-client.js';

export interface RefusedRedemption {
  reason: string;
  of?: RedeemedOffer;
}

const refusals = new WeakMap<object, RefusedRedemption>();

export function refuseRedemption(ctx: object, refusal: RefusedRedemption): void {
  refusals.set(ctx, refusal);
}

/** The refusal of the token request `ctx`, when it was a redemption refused. */
export function refusedRedemption(ctx: object): RefusedRedemption | undefined {
  return refusals.get(ctx);
}
