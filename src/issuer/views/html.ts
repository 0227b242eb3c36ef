/**
 * The issuer's pages: plain HTML forms that work without JavaScript, one stylesheet
 * inline and allowed by its hash, so the Content-Security-Policy allows nothing else.
 * Every value shown is escaped.
 */
import { createHash } from 'node:crypto';
import type { Strings } from './strings-en.js';

export function escapeHtml(s: string): string {
  return s.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);
}

export function fill(template: string, values: Record<string, string>): string {
  return template.replace(/\{(\w+)\}/g, (_m, k: string) => values[k] ?? '');
}

// Contrast at least 7:1 for text; focus shown by a thick outline on every control.
const STYLE = `body{font:1rem/1.5 system-ui,sans-serif;color:#111;background:#fff;max-width:36rem;margin:2rem auto;padding:0 1rem}
h1{font-size:1.5rem}label{display:block;margin:.75rem 0 .25rem}input[type=text],input[type=password],select{font:inherit;padding:.4rem;border:2px solid #444;border-radius:4px;width:100%;box-sizing:border-box}
fieldset{border:2px solid #444;border-radius:4px;margin:1rem 0}legend{font-weight:bold}.check label{display:inline;margin:0 0 0 .4rem}.check{margin:.3rem 0}
button{font:inherit;padding:.5rem 1rem;margin:1rem .5rem 0 0;border:2px solid #0b3d91;border-radius:4px;background:#0b3d91;color:#fff;cursor:pointer}
button.secondary{background:#fff;color:#0b3d91}:focus-visible{outline:3px solid #c60;outline-offset:2px}
.error{border-left:4px solid #a00;padding:.5rem;color:#600;background:#fff4f4}dt{font-weight:bold;margin-top:.75rem}dd{margin:0}`;
const STYLE_HASH = createHash('sha256').update(STYLE).digest('base64');

/** The policy of every page; forms may post to the issuer and be redirected to the client (`formTargets`). */
export function contentSecurityPolicy(formTargets: readonly string[]): string {
  return [
    "default-src 'none'", `style-src 'sha256-${STYLE_HASH}'`, `form-action 'self' ${formTargets.join(' ')}`.trim(),
    "frame-ancestors 'none'", "base-uri 'none'",
  ].join('; ');
}

export function page(s: Strings, title: string, body: string): string {
  return `<!doctype html>
<html lang="${s.lang}">
<head><meta charset="utf-8"><meta name="viewport" content="width=device-width,initial-scale=1"><title>${escapeHtml(title)}</title><style>${STYLE}</style></head>
<body><main>
<h1>${escapeHtml(title)}</h1>
${body}
</main></body>
</html>`;
}
