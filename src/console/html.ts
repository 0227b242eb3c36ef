/**
 * The console's page frame and fields, made with the shared markup helpers (src/web), every
 * value escaped where it is put.
 */
import { Html, escape, html } from '../web/index.js';

export { Html, escape, html, csrfField } from '../web/index.js';

export const CONSOLE_PREFIX = '/console';

export interface PageFrame {
  title: string;
  /** Signed in: the navigation and the sign-out form (which needs the session's CSRF token). */
  csrf?: string;
}

/** A whole page: language, title, stylesheet, skip link, navigation, and the main content. */
export function page(frame: PageFrame, main: Html): string {
  const nav = frame.csrf === undefined ? '' : html`<nav aria-label="Console">
  <ul>
    <li><a href="${CONSOLE_PREFIX}">Contracts</a></li>
    <li><a href="${CONSOLE_PREFIX}/dry-run">Dry run</a></li>
    <li><a href="${CONSOLE_PREFIX}/who-sees-what">Who sees what</a></li>
  </ul>
  <form method="post" action="${CONSOLE_PREFIX}/sign-out">
    <input type="hidden" name="csrf" value="${frame.csrf}">
    <button type="submit">Sign out</button>
  </form>
</nav>`.text;
  return `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>${escape(frame.title)} · mimtrust console</title>
<link rel="stylesheet" href="${CONSOLE_PREFIX}/style.css">
</head>
<body>
<a class="skip" href="#main">Skip to content</a>
<header><p class="brand">mimtrust console</p>${nav}</header>
<main id="main">
<h1>${escape(frame.title)}</h1>
${main.text}
</main>
</body>
</html>
`;
}

/** A labelled text field. */
export function field(name: string, label: string, value = '', hint?: string): Html {
  const hintId = `${name}-hint`;
  return html`<p class="field"><label for="${name}">${label}</label>
<input id="${name}" name="${name}" type="text" value="${value}"${hint === undefined ? '' : new Html(` aria-describedby="${hintId}"`)}>
${hint === undefined ? '' : html`<span class="hint" id="${hintId}">${hint}</span>`}</p>`;
}
