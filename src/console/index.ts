/**
 * The provider console (under /console): server-rendered pages for the admin API's
 * callers, working without JavaScript. Sign in by pasting an access token: it is verified
 * like any request's and kept on the server (in the store every instance shares), the
 * browser holding only a random session id
 * (HttpOnly, Secure, SameSite=Strict; the sessions, cookies, markup and stylesheet are src/web's). Pages: the contracts the caller may
 * manage, a contract to view, validate and save, the dry run, and who sees what, each
 * calling the admin API's own actions (src/admin) with the same grants and audit. Every
 * POST form carries a CSRF token; pages load no script (`default-src 'self'`).
 */
export { consolePlugin } from './plugin.js';
export type { ConsoleDeps } from './plugin.js';
export { CONSOLE_PREFIX } from './html.js';
