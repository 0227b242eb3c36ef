import { RECIPIENT_HEADER, withDeclaredRecipient } from '../../auth/index.js';
import type { Authenticated } from '../exchange.js';

/**
 * Recipient: a recipient declared in the request (`Mimtrust-Recipient`) joins the token
 * for this request, where the token's issuer lets its callers declare one; refused
 * otherwise. From here on the token says whom the data is for, for the decision and for a
 * subscription's later deliveries alike.
 */
export function declareRecipient(): (r: Authenticated) => Authenticated {
  return (r) => {
    r.token = withDeclaredRecipient(r.token, r.raw.headers[RECIPIENT_HEADER]);
    return r;
  };
}
