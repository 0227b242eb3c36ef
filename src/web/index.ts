/**
 * Building blocks of the server-rendered pages (the provider console, the citizen wallet):
 * markup with every value escaped and the page policy that allows no script (html.ts),
 * `__Host-` session cookies and form bodies (cookies.ts), server-side sessions with a
 * CSRF token each, kept in the store every process shares (sessions.ts), and the one stylesheet with sufficient contrast and a
 * visible focus (style.ts), and the exchange of a page, audited like every other and
 * refused as a page or with a redirect to sign in (exchange.ts).
 */
export { Html, escape, html, csrfField, PAGE_HEADERS } from './html.js';
export { setCookie, cookieOf, formOf } from './cookies.js';
export type { SameSite } from './cookies.js';
export { Sessions, randomId, sameSecret } from './sessions.js';
export type { Session, SessionsOptions } from './sessions.js';
export { STYLE } from './style.js';
export { pageExchange, pageReply, redirectReply } from './exchange.js';
export type { PageExchangeOptions } from './exchange.js';
