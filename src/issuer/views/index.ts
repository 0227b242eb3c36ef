/**
 * The issuer's screens, rendered on the server: login, consent and error pages
 * (pages.ts) as plain forms that work without JavaScript, under a strict
 * Content-Security-Policy (html.ts), in English or German by Accept-Language
 * or as chosen (language.ts; one strings file per language, which also holds the wallet's
 * strings, so every text a citizen reads is in one place).
 */
export { loginPage, consentPage, errorPage, purposeLabel } from './pages.js';
export type { LoginView, ConsentView } from './pages.js';
export { contentSecurityPolicy } from './html.js';
export { stringsFor, LANGUAGE_CODES } from './language.js';
export type { Strings } from './strings-en.js';
