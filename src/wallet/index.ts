/**
 * The citizen wallet (under /wallet): server-rendered pages, working without JavaScript, in
 * English or German, where a person signs in through the city's own issuer and sees their
 * consents (status, recipient, purpose in words, data, legal basis, validity), withdraws
 * one, sees who read their data under consent, downloads their records, and offers the
 * receipt of a consent in force to a wallet app of their own (OID4VCI).
 *
 * - sign-in.ts: the wallet as a first-party client of the issuer (registered by itself),
 *   the authorization code flow with PKCE, state and nonce, and the ID token's check;
 * - plugin.ts: the routes, sessions kept on the server (src/web), CSRF on every form;
 * - pages.ts: the pages, every string from the issuer's strings files (src/issuer/views);
 * - history.ts: the person's reads from the audit log, their own entry of each only;
 * - party-names.ts: recipients and readers by the names and organisations of the issuer's clients.
 * - offer-qr.ts: a credential offer's URI as a QR code in SVG, placed inside the page.
 * See docs/wallet.md.
 */
export { walletPlugin } from './plugin.js';
export type { WalletDeps } from './plugin.js';
export type { PartyName } from './pages.js';
export { WALLET_PREFIX, WALLET_CLIENT_ID, walletClient } from './sign-in.js';
export { accessesOf } from './history.js';
export type { Access } from './history.js';
export { partyNames } from './party-names.js';
