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

/**
 * The first CredentialError inside the errors a library answers with (jsonld keeps a
 * document loader's error in `details.cause`, jsonld-signatures collects them in
 * `errors`), so a verification names why it failed rather than that it did.
 */
export function credentialErrorIn(errors: readonly unknown[]): CredentialError | undefined {
  const seen = new Set<unknown>();
  const walk = (e: unknown): CredentialError | undefined => {
    if (e === undefined || e === null || seen.has(e)) return undefined;
    seen.add(e);
    if (e instanceof CredentialError) return e;
    const o = e as { cause?: unknown; errors?: unknown[]; details?: { cause?: unknown } };
    for (const inner of [o.cause, o.details?.cause, ...(Array.isArray(o.errors) ? o.errors : [])]) {
      const found = walk(inner);
      if (found) return found;
    }
    return undefined;
  };
  for (const e of errors) {
    const found = walk(e);
    if (found) return found;
  }
  return undefined;
}
