/** The credential offers as the configuration (`credentials.oid4vci`) asks for them: codes and nonces in memory. */
import type { Config } from '../../config/index.js';
import { MemorySingleUse } from '../../lib/index.js';
import { CredentialOffers, type ConsentLookup, type OfferedReceipt, type ReceiptSource } from './issuance.js';

export function credentialOffersFromConfig(
  settings: Config['credentials']['oid4vci'],
  deps: { consents: ConsentLookup; credentials: ReceiptSource; authorizationServer: string },
): CredentialOffers {
  return new CredentialOffers({
    ...deps,
    codes: new MemorySingleUse<OfferedReceipt>({ max: settings.maxCodes, maxPerOwner: settings.maxCodesPerCitizen }),
    nonces: new MemorySingleUse<true>({ max: settings.maxNonces }),
    codeTtlMs: settings.codeTtlSec * 1000,
    nonceTtlMs: settings.nonceTtlSec * 1000,
    maxSpent: settings.maxCodes,
    // A key proof may be as old as the nonce it carries may be.
    proofMaxAgeSec: settings.nonceTtlSec,
    txCodeDescription: 'The six digits shown beside the QR code on your city data wallet page.',
  });
}
