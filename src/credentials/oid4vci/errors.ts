/**
 * Refusals of OpenID for Verifiable Credential Issuance: the `error` codes of its nonce and
 * credential endpoints (OID4VCI 1.0 §8.3.1.2) and of the token endpoint (`invalid_grant`),
 * each with its status. The message is written here, never copied from the request.
 */
import { MimtrustError, type ProblemCode } from '../../errors/index.js';

export type Oid4vciErrorCode =
  | 'invalid_credential_request'
  | 'unknown_credential_configuration'
  | 'invalid_proof'
  | 'invalid_nonce'
  | 'credential_request_denied'
  | 'invalid_token'
  | 'invalid_grant';

const PROBLEM: Readonly<Record<Oid4vciErrorCode, ProblemCode>> = {
  invalid_credential_request: 'BAD_REQUEST',
  unknown_credential_configuration: 'BAD_REQUEST',
  invalid_proof: 'BAD_REQUEST',
  invalid_nonce: 'BAD_REQUEST',
  credential_request_denied: 'FORBIDDEN',
  invalid_token: 'INVALID_TOKEN',
  invalid_grant: 'BAD_REQUEST',
};

export class Oid4vciError extends Error {
  constructor(readonly error: Oid4vciErrorCode, message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'Oid4vciError';
  }

  /**
   * The project's problem answer, carrying the protocol's `error` and `error_description`
   * members a wallet reads; the audit reason is the same code.
   */
  toMimtrustError(): MimtrustError {
    const headers: Record<string, string> = this.error === 'invalid_token' ? { 'www-authenticate': 'Bearer error="invalid_token"' } : {};
    return new MimtrustError(PROBLEM[this.error], this.message, {
      reason: this.error, headers, cause: this, extensions: { error: this.error, error_description: this.message },
    });
  }
}
