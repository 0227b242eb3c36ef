/**
 * A Credential Request (OID4VCI 1.0 §8.2) as this issuer takes it: the configuration asked
 * for by `credential_configuration_id`, and one key proof of type jwt, in the 1.0 form
 * `proofs: { jwt: [proof] }` or the earlier drafts' `proof: { proof_type: 'jwt', jwt }`.
 * Batches are not offered, so exactly one proof. Pure.
 */
import { isObject } from '../../lib/index.js';
import { Oid4vciError } from './errors.js';
import { RECEIPT_CONFIGURATION } from './metadata.js';

export interface CredentialRequest {
  configuration: string;
  proof: string;
}

const invalid = (message: string): Oid4vciError => new Oid4vciError('invalid_credential_request', message);

function proofOf(body: Record<string, unknown>): string {
  const { proofs, proof } = body;
  if (proofs !== undefined && proof !== undefined) throw invalid('A request carries proofs or proof, not both.');
  if (isObject(proofs)) {
    const kinds = Object.keys(proofs);
    if (kinds.length !== 1 || kinds[0] !== 'jwt') throw new Oid4vciError('invalid_proof', 'Only proofs of type jwt are taken.');
    const list = proofs['jwt'];
    if (!Array.isArray(list) || list.length !== 1 || typeof list[0] !== 'string') throw invalid('proofs.jwt holds exactly one proof: batches are not offered.');
    return list[0];
  }
  if (isObject(proof)) {
    if (proof['proof_type'] !== 'jwt') throw new Oid4vciError('invalid_proof', 'Only proofs of type jwt are taken.');
    if (typeof proof['jwt'] !== 'string') throw invalid('proof.jwt is missing.');
    return proof['jwt'];
  }
  throw new Oid4vciError('invalid_proof', 'The request carries no key proof: the receipt is bound to the wallet\'s key.');
}

export function readCredentialRequest(body: unknown): CredentialRequest {
  if (!isObject(body)) throw invalid('The request body is not a JSON object.');
  if (body['credential_identifier'] !== undefined) throw invalid('This issuer hands out no credential identifiers: ask by credential_configuration_id.');
  const configuration = body['credential_configuration_id'];
  if (typeof configuration !== 'string') throw invalid('credential_configuration_id is missing.');
  if (configuration !== RECEIPT_CONFIGURATION) throw new Oid4vciError('unknown_credential_configuration', 'This issuer offers no credential configuration by that id.');
  return { configuration, proof: proofOf(body) };
}
