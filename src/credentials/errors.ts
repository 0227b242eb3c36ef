import { MimtrustError } from '../errors/index.js';

/**
 * Why a credential, a presentation or a DID did not hold. The reason is a stable code
 * (docs/errors.md) that verification answers list; the message is written here, never
 * copied from the input.
 */
export class CredentialError extends Error {
  constructor(readonly reason: string, message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'CredentialError';
  }

  /** As a refusal of the request that asked for it. */
  toMimtrustError(code: 'BAD_REQUEST' | 'NOT_FOUND' | 'SERVICE_UNAVAILABLE' = 'BAD_REQUEST'): MimtrustError {
    return new MimtrustError(code, this.message, { reason: this.reason, extensions: { reason: this.reason }, cause: this });
  }
}
