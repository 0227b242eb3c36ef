/**
 * Every JSON-LD context a credential may name, by URL: those the installed packages carry
 * (VC 1.1 and 2.0, Data Integrity, Multikey, Bitstring Status List) and those kept in the
 * repository's contexts/credentials/ (DID Core v1, the consent receipt's own terms). Read
 * once; nothing here is ever fetched.
 */
import { readFileSync } from 'node:fs';
import { contexts as credentialContexts } from '@digitalbazaar/credentials-context';
import { contexts as dataIntegrityContexts } from '@digitalbazaar/data-integrity-context';
import { contexts as multikeyContexts } from '@digitalbazaar/multikey-context';
import { contexts as statusListContexts } from '@digitalbazaar/vc-bitstring-status-list-context';

export const VC_V2_CONTEXT = 'https://www.w3.org/ns/credentials/v2';
export const DID_V1_CONTEXT = 'https://www.w3.org/ns/did/v1';
export const MULTIKEY_CONTEXT = 'https://w3id.org/security/multikey/v1';
/** Where the gateway serves the consent receipt's context, under its own base URL. */
export const CONSENT_CONTEXT_PATH = '/credentials/contexts/consent-receipt/v1';

const FOLDER = new URL('../../contexts/credentials/', import.meta.url);

function repositoryContext(file: string): unknown {
  return JSON.parse(readFileSync(new URL(file, FOLDER), 'utf8')) as unknown;
}

/** The consent receipt's context document, as served and as loaded. */
export const CONSENT_CONTEXT_DOCUMENT = repositoryContext('consent-receipt-v1.jsonld');

/** The contexts that mean the same wherever the gateway runs. */
export const PACKAGED_CONTEXTS: ReadonlyMap<string, unknown> = new Map<string, unknown>([
  ...credentialContexts,
  ...dataIntegrityContexts,
  ...multikeyContexts,
  ...statusListContexts,
  [DID_V1_CONTEXT, repositoryContext('did-v1.jsonld')],
]);

/** The URL receipts of a gateway at `baseUrl` name their subject's context by. */
export function consentContextUrl(baseUrl: string): string {
  return `${baseUrl}${CONSENT_CONTEXT_PATH}`;
}
