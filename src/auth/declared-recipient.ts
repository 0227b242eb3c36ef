/**
 * The recipient a request declares: who the data is for, when not the caller itself. It
 * is named in the token's issuer's namespace, like the caller. The issuer may sign it into
 * the token (`recipientClaim`); a caller may state it per request in the
 * `Mimtrust-Recipient` header only where its issuer allows that (`allowRecipientHeader`),
 * since a recipient widens what a contract's `recipient` permission admits and the
 * header is the caller's word alone. A header that contradicts the token is refused.
 */
import { MimtrustError } from '../errors/index.js';
import type { VerifiedToken } from './types.js';

export const RECIPIENT_HEADER = 'mimtrust-recipient';

/**
 * One party id: visible ASCII without comma (a repeated header arrives joined by commas),
 * not starting with `@` (the issuer is always the token's, never named here).
 */
const PARTY_ID = /^[\x21-\x2b\x2d-\x3f\x41-\x7e][\x21-\x2b\x2d-\x7e]{0,1023}$/;

function refused(detail: string, reason: string): MimtrustError {
  return new MimtrustError('FORBIDDEN', detail, { reason });
}

/**
 * The token as this request speaks for it: with the recipient its header declares, where
 * allowed. The token itself is shared by every request presenting it and stays as it is.
 */
export function withDeclaredRecipient(token: VerifiedToken, header: string | string[] | undefined): VerifiedToken {
  if (header === undefined) return token;
  if (Array.isArray(header) || !PARTY_ID.test(header)) {
    throw new MimtrustError('BAD_REQUEST', 'Mimtrust-Recipient must be one party id of the token\'s issuer: visible ASCII, no comma, not starting with "@", at most 1024 characters.', { reason: 'recipient_invalid' });
  }
  if (token.recipientHeader !== true) {
    throw refused('The token\'s issuer does not let its callers declare a recipient (Mimtrust-Recipient).', 'recipient_not_declarable');
  }
  if (token.recipient !== undefined) {
    if (token.recipient === header) return token;
    throw refused('Mimtrust-Recipient names another recipient than the token does.', 'recipient_conflict');
  }
  return Object.freeze({ ...token, recipient: header });
}
