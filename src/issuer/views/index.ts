/**
 * The issuer's screens, rendered on the server: login, consent and error pages
 * (pages.ts) as plain forms that work without JavaScript, under a strict
 * Content-Security-Policy (html.ts), in English or German by Accept-Language
 * (language.ts; one strings file per language).
 */
export { loginPage, consentPage, errorPage } from './pages.js';
export type { LoginView, ConsentView } from './pages.js';
export { contentSecurityPolicy } from './html.js';
export { stringsFor } from './language.js';
export type { Strings } from './strings-en.js';
