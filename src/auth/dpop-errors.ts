/**
 * The refusals of a sender-constrained token (RFC 9449 DPoP, RFC 8705 certificates). Each
 * reason has a fixed description: nothing of the proof, the token or the key reaches a
 * message or a header. A bad proof is `invalid_dpop_proof` in the DPoP challenge
 * (RFC 9449 §7.1); a token used in a way its binding forbids is `invalid_token`. The
 * reason is part of the answer, so a client can tell a clock or URL mistake from an attack.
 */
import { MimtrustError } from '../errors/index.js';
import { bearerChallenge, dpopChallenge } from './challenge.js';

const DESCRIPTIONS = {
  dpop_proof_missing: 'A DPoP-bound access token needs a DPoP proof header.',
  dpop_proof_repeated: 'Exactly one DPoP proof header is allowed.',
  dpop_proof_malformed: 'The DPoP proof is not a well-formed JWT.',
  dpop_proof_type_refused: 'The DPoP proof does not have the type dpop+jwt.',
  dpop_algorithm_refused: 'The DPoP proof is signed with an algorithm that is not allowed.',
  dpop_key_invalid: 'The DPoP proof does not carry a usable public key.',
  dpop_key_mismatch: 'The DPoP proof is signed with another key than the access token is bound to.',
  dpop_signature_invalid: 'The DPoP proof signature is invalid.',
  dpop_claim_invalid: 'The DPoP proof lacks a required claim or has a claim of the wrong type.',
  dpop_method_mismatch: 'The DPoP proof was made for another HTTP method.',
  dpop_url_mismatch: 'The DPoP proof was made for another URL.',
  dpop_proof_stale: 'The DPoP proof is too old.',
  dpop_proof_future: 'The DPoP proof was issued in the future.',
  dpop_proof_replayed: 'The DPoP proof has been used before.',
  dpop_ath_mismatch: 'The DPoP proof was made for another access token.',
} as const;

const DESCRIPTIONS_OF_BINDINGS = {
  token_requires_dpop: 'The access token is DPoP-bound: present it with the DPoP scheme and a proof.',
  token_not_dpop_bound: 'The DPoP scheme was used with an access token that is not DPoP-bound.',
  token_binding_mismatch: 'The access token is bound to a client certificate that this connection did not present.',
  token_not_sender_constrained: 'This issuer\'s access tokens are accepted only when bound to a key or a client certificate.',
  token_binding_unverifiable: 'The access token is bound to its holder, which cannot be checked for a described request.',
} as const;

export type DpopProofReason = keyof typeof DESCRIPTIONS;
export type BindingReason = keyof typeof DESCRIPTIONS_OF_BINDINGS;

export function invalidDpopProof(reason: DpopProofReason, algorithms: Iterable<string>): MimtrustError {
  const description = DESCRIPTIONS[reason];
  return new MimtrustError('INVALID_DPOP_PROOF', description, {
    reason,
    extensions: { reason },
    headers: { 'www-authenticate': dpopChallenge(algorithms, 'invalid_dpop_proof', description) },
  });
}

/**
 * A token refused for how it was presented. DPoP-related refusals answer with the DPoP
 * challenge, so the client learns which scheme and algorithms to use; the rest with Bearer.
 */
export function bindingRefused(reason: BindingReason, algorithms: Iterable<string>): MimtrustError {
  const description = DESCRIPTIONS_OF_BINDINGS[reason];
  const dpop = reason === 'token_requires_dpop' || reason === 'token_not_dpop_bound';
  return new MimtrustError('INVALID_TOKEN', description, {
    reason,
    extensions: { reason },
    headers: { 'www-authenticate': dpop ? dpopChallenge(algorithms, 'invalid_token', description) : bearerChallenge('invalid_token', description) },
  });
}

/** The replay cache is full of proofs still inside their window: refuse rather than forget one. */
export function replayCacheFull(): MimtrustError {
  return new MimtrustError('SERVICE_UNAVAILABLE', 'Too many DPoP proofs are in use right now; try again shortly.', { reason: 'dpop_replay_cache_full' });
}
