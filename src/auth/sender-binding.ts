/**
 * Whether a verified token may be used by whoever presents it. A token bound to a key
 * (RFC 9449 `cnf.jkt`) needs the DPoP scheme and a fresh proof signed with that key for
 * this very request; one bound to a client certificate (RFC 8705 `cnf.x5t#S256`) needs
 * this connection to have presented that certificate. A plain bearer token is refused
 * from an issuer that requires sender-constrained tokens, and the DPoP scheme is refused
 * with a token that is not DPoP-bound.
 */
import { checkDpopProof, type DpopLimits } from './dpop-proof.js';
import { bindingRefused, invalidDpopProof, replayCacheFull } from './dpop-errors.js';
import type { ReplayCheck } from './dpop-shared-replay.js';
import type { Presented } from './bearer.js';
import type { VerifiedToken } from './types.js';

/** How a token was bound to its holder, as the audit record names it. */
export type Binding = 'bearer' | 'dpop' | 'mtls';

/** What of the request a binding is checked against. */
export interface BindingContext {
  /** The `DPoP` header(s) as received. */
  dpop: string | string[] | undefined;
  method: string;
  /** The request's URL as the client used it; undefined where it is not known (a described request). */
  url: string | undefined;
  /** RFC 8705 x5t#S256 of the connection's verified client certificate. */
  certThumbprint: string | undefined;
}

export interface SenderBindingOptions {
  dpop: DpopLimits;
  /** Records each proof's use: in this process, or shared by every process on the store. */
  replay: ReplayCheck;
  /** Clock, milliseconds since the epoch. */
  now: () => number;
}

/** The certificate binding: the token's `x5t#S256` must be this connection's certificate. */
export function checkCertificateBinding(token: VerifiedToken, certThumbprint: string | undefined, algorithms: Iterable<string>): boolean {
  const bound = token.cnf?.['x5t#S256'];
  if (bound === undefined) return false;
  if (bound !== certThumbprint) throw bindingRefused('token_binding_mismatch', algorithms);
  return true;
}

/**
 * The check for a token that comes without a request to prove possession on (a pasted
 * token kept by a session): a DPoP-bound one is refused, a certificate-bound one must come
 * over its certificate, and an issuer requiring bound tokens gets no plain bearer use.
 */
export function checkBearerUse(token: VerifiedToken, certThumbprint: string | undefined, algorithms: Iterable<string>): Binding {
  if (token.cnf?.['jkt'] !== undefined) throw bindingRefused('token_requires_dpop', algorithms);
  if (checkCertificateBinding(token, certThumbprint, algorithms)) return 'mtls';
  if (token.senderConstrained === 'required') throw bindingRefused('token_not_sender_constrained', algorithms);
  return 'bearer';
}

/** The binding of a token bound to no key (`cnf.jkt`): the DPoP scheme is refused with it, the rest as `checkBearerUse`. */
export function checkUnbound(token: VerifiedToken, presented: Presented, certThumbprint: string | undefined, algorithms: Iterable<string>): Binding {
  if (presented.scheme === 'dpop') throw bindingRefused('token_not_dpop_bound', algorithms);
  return checkBearerUse(token, certThumbprint, algorithms);
}

export function createSenderBindingCheck(o: SenderBindingOptions) {
  const algorithms = o.dpop.algorithms;
  return async function checkBinding(token: VerifiedToken, presented: Presented, ctx: BindingContext): Promise<Binding> {
    const jkt = token.cnf?.['jkt'];
    if (jkt === undefined) return checkUnbound(token, presented, ctx.certThumbprint, algorithms);
    if (presented.scheme !== 'dpop') throw bindingRefused('token_requires_dpop', algorithms);
    if (ctx.dpop === undefined) throw invalidDpopProof('dpop_proof_missing', algorithms);
    if (Array.isArray(ctx.dpop)) throw invalidDpopProof('dpop_proof_repeated', algorithms);
    if (ctx.url === undefined) throw bindingRefused('token_binding_unverifiable', algorithms);
    // A token bound both ways is held to both.
    checkCertificateBinding(token, ctx.certThumbprint, algorithms);
    const nowSec = Math.floor(o.now() / 1000);
    const proof = await checkDpopProof(ctx.dpop, { method: ctx.method, url: ctx.url, accessToken: presented.token, jkt: jkt as string }, o.dpop, nowSec);
    const use = await o.replay(jkt as string, proof.jti, proof.acceptedUntilSec, nowSec);
    if (use === 'replayed') throw invalidDpopProof('dpop_proof_replayed', algorithms);
    if (use === 'full') throw replayCacheFull();
    return 'dpop';
  };
}
