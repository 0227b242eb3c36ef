/**
 * Key material mimtrust generates on first start into `keys/` and reuses afterwards:
 * the self-signed TLS certificate, JOSE signing keys and rotatable key sets (key-set.ts), and the Ed25519 Multikey set that signs credentials
 * (ed25519-key-set.ts). Private keys are written owner-only and never leave the folder. Also what the TLS listener offers (tls-policy.ts).
 * The libraries that make a certificate or an Ed25519 key are loaded only when one is made,
 * so a start that reuses its keys does not hold them in memory.
 */
export { loadOrCreateSelfSignedCertificate } from './tls-certificate.js';
export { TLS_CIPHERS, TLS_ECDH_CURVES } from './tls-policy.js';
export type { TlsMaterial } from './tls-certificate.js';
export { loadOrCreateSigningKey } from './signing-key.js';
export type { SigningKey } from './signing-key.js';
export { loadOrCreateKeySet, rotateKeySet, loadOrCreateSecret } from './key-set.js';
export type { KeySet } from './key-set.js';
export { loadOrCreateEd25519KeySet, rotateEd25519KeySet } from './ed25519-key-set.js';
export type { Ed25519Key } from './ed25519-key-set.js';
