/**
 * Citizen consent (MIM4): records after ISO/IEC TS 27560 with W3C DPV terms (record.ts),
 * kept by a ConsentStore (src/store implements it), given, withdrawn and expired through
 * `Consents` (consents.ts), which writes every event to the audit log and keeps the
 * records in memory, replaced on every change, so a withdrawal holds on the very next
 * request. Access tokens name the consents they rest on (an issuer's `consentClaim`);
 * `Consents.forToken` turns those into the grants the pure decision reads
 * (src/policy/consent.ts) or refuses the token; `Consents.inForce` gives those still in
 * force without refusing, for a subscription's deliveries. Listeners (store.ts) are told
 * of every event once it is stored, without this folder knowing who they are; the
 * credentials module is one, and issues the receipt the citizen API serves. The citizen
 * API is routes.ts; export.ts the export document it and the wallet both offer.
 * See docs/consent.md.
 */
export { Consents } from './consents.js';
export type { Citizen, GiveInput, EventOrigin, ConsentsOptions } from './consents.js';
export { DPV_CONSENT, statusAt, recordJson } from './record.js';
export type { ConsentRecord, ConsentEvent, ConsentEventType, ConsentStatus, DataSubject, PersonalData } from './record.js';
export type { ConsentStore, ConsentListener, ReceiptIssuer } from './store.js';
export { grantOf, recipientParties, tokenRefusal } from './grant.js';
export { consentPlugin, CONSENTS_PREFIX } from './routes.js';
export { exportRecords, EXPORT_DISPOSITION } from './export.js';
export type { ConsentExport } from './export.js';
export type { ConsentRouteDeps } from './routes.js';
