/**
 * The credential offers as the configuration (`credentials.oid4vci`) asks for them: codes
 * and nonces in the store's expiring keys, which every process of the deployment shares.
 */
import type { Config } from '../../config/index.js';
import { StoredSingleUse, type ExpiringKeys } from '../../lib/index.js';
import { CredentialOffers, type ConsentLookup, type OfferedReceipt, type ReceiptSource } from './issuance.js';

export function credentialOffersFromConfig(
  settings: Config['credentials']['oid4vci'],
  deps: { consents: ConsentLookup; credentials: ReceiptSource; authorizationServer: string; keys: ExpiringKeys },
): CredentialOffers {
  const { keys, ...rest } = deps;
  return new CredentialOffers({
    ...rest,
    codes: new StoredSingleUse<OfferedReceipt>({ keys, name: 'oid4vci-code', max: settings.maxCodes, maxPerOwner: settings.maxCodesPerCitizen, rememberUsed: true }),
    nonces: new StoredSingleUse<true>({ keys, name: 'oid4vci-nonce', max: settings.maxNonces }),
    codeTtlMs: settings.codeTtlSec * 1000,
    nonceTtlMs: settings.nonceTtlSec * 1000,
    // A key proof may be as old as the nonce it carries may be.
    proofMaxAgeSec: settings.nonceTtlSec,
    txCodeDescription: 'The six digits shown beside the QR code on your city data wallet page.',
  });
}
