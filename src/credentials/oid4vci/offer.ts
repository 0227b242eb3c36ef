/**
 * A credential offer (OID4VCI 1.0 §4.1) for one consent receipt, passed by value: the
 * credential issuer, the one configuration, and the pre-authorized code with the shape of
 * the transaction code the wallet must ask its user for. The code travels in the offer;
 * the transaction code never does (the citizen reads it on the page and types it into the
 * wallet), so a photographed or leaked offer alone does not get the receipt. Pure.
 */
import { randomInt } from 'node:crypto';
import { PRE_AUTHORIZED_GRANT } from '../../issuer/constants.js';
import { RECEIPT_CONFIGURATION } from './metadata.js';

export { PRE_AUTHORIZED_GRANT };
export const OFFER_SCHEME = 'openid-credential-offer://';
export const TX_CODE_LENGTH = 6;

export interface CredentialOffer {
  credential_issuer: string;
  credential_configuration_ids: string[];
  grants: Record<string, { 'pre-authorized_code': string; tx_code?: { input_mode: 'numeric'; length: number; description?: string } }>;
}

export function credentialOffer(credentialIssuer: string, code: string, txCodeDescription?: string): CredentialOffer {
  return {
    credential_issuer: credentialIssuer,
    credential_configuration_ids: [RECEIPT_CONFIGURATION],
    grants: {
      [PRE_AUTHORIZED_GRANT]: {
        'pre-authorized_code': code,
        tx_code: { input_mode: 'numeric', length: TX_CODE_LENGTH, ...(txCodeDescription === undefined ? {} : { description: txCodeDescription }) },
      },
    },
  };
}

/** The offer as the link and QR code a wallet opens: `openid-credential-offer://?credential_offer=...`. */
export function offerUri(offer: CredentialOffer): string {
  return `${OFFER_SCHEME}?credential_offer=${encodeURIComponent(JSON.stringify(offer))}`;
}

/** The offer a link or QR code carries; undefined when it carries none by value. */
export function offerOf(uri: string): CredentialOffer | undefined {
  if (!uri.startsWith(`${OFFER_SCHEME}?`)) return undefined;
  const value = new URLSearchParams(uri.slice(OFFER_SCHEME.length + 1)).get('credential_offer');
  if (value === null) return undefined;
  try {
    return JSON.parse(value) as CredentialOffer;
  } catch {
    return undefined;
  }
}

/** A transaction code: TX_CODE_LENGTH random digits. */
export function newTxCode(): string {
  return Array.from({ length: TX_CODE_LENGTH }, () => String(randomInt(10))).join('');
}
