/**
 * HTML made on the server, every value escaped where it is put. Pages work without
 * JavaScript and carry no inline script or style: the one stylesheet is a file of the
 * console, so the page's policy can be `default-src 'self'`.
 */

/** A piece of markup already safe to place as it is. */
export class Html {
  constructor(readonly text: string) {}
}

const ESCAPES: Readonly<Record<string, string>> = { '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' };

export function escape(value: string): string {
  return value.replace(/[&<>"']/g, (c) => ESCAPES[c] as string);
}

type Part = Html | string | number | boolean | null | undefined | readonly Part[];

function render(p: Part): string {
  if (p instanceof Html) return p.text;
  if (Array.isArray(p)) return (p as readonly Part[]).map(render).join('');
  if (typeof p === 'string') return escape(p);
  return typeof p === 'number' ? String(p) : '';
}

/** Tagged template: literal parts are markup, every value is escaped (or placed as is when Html). */
export function html(strings: TemplateStringsArray, ...values: Part[]): Html {
  let out = strings[0] ?? '';
  values.forEach((v, i) => { out += render(v) + (strings[i + 1] ?? ''); });
  return new Html(out);
}

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

export function csrfField(csrf: string): Html {
  return html`<input type="hidden" name="csrf" value="${csrf}">`;
}
