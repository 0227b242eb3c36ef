/** The console's pages: each a function of what it shows, returning a whole HTML document. */
import { CONSOLE_PREFIX, csrfField, field, html, Html, page } from './html.js';

type Json = Record<string, unknown>;

const namespaceOf = (s: Json): string => (typeof s.provider === 'string' ? s.provider : 'operator');
export type Notice = { kind: 'ok' | 'error'; text: string } | undefined;

function notice(n: Notice): Html {
  if (n === undefined) return html``;
  return n.kind === 'ok' ? html`<p class="ok" role="status">${n.text}</p>` : html`<p class="error" role="alert">${n.text}</p>`;
}

export function signInPage(csrf: string, n?: Notice): string {
  return page({ title: 'Sign in' }, html`${notice(n)}
<p>Paste an access token that grants contract administration (<code>manageContracts</code>, or a provider's grant). It is checked like any request's token and kept on the server only.</p>
<form method="post" action="${CONSOLE_PREFIX}/sign-in">
${csrfField(csrf)}
<p class="field"><label for="token">Access token</label>
<textarea id="token" name="token" rows="6" required autocomplete="off" spellcheck="false"></textarea></p>
<button type="submit">Sign in</button>
</form>`);
}

export function errorPage(status: number, detail: string, csrf?: string): string {
  const title = status === 403 ? 'Not allowed' : status === 404 ? 'Not found' : status >= 500 ? 'Something went wrong' : 'Request refused';
  return page({ title, ...(csrf !== undefined ? { csrf } : {}) }, html`<p class="error" role="alert">${detail}</p>
<p><a href="${CONSOLE_PREFIX}">Back to the contracts</a></p>`);
}

export interface ListedContract {
  summary: Json;
  /** The console page of the contract. */
  href: string;
}

export function listPage(csrf: string, contracts: readonly ListedContract[]): string {
  const rows = contracts.map(({ summary: s, href }) => html`<tr>
<td><a href="${href}">${String(s.uid)}</a></td>
<td>${namespaceOf(s)}</td>
<td>${String(s.source)}</td>
<td>${String(s.status)}</td>
<td>${(s.permissions as string[]).length} / ${(s.prohibitions as string[]).length}</td>
</tr>`);
  return page({ title: 'Contracts', csrf }, html`<p>The contracts in force that you may manage.</p>
<table>
<caption>Contracts</caption>
<thead><tr><th scope="col">Contract</th><th scope="col">Namespace</th><th scope="col">Source</th><th scope="col">Status</th><th scope="col">Permissions / prohibitions</th></tr></thead>
<tbody>${rows}</tbody>
</table>`);
}

export interface ContractView {
  summary: Json;
  /** The stored document (API contracts); undefined for a file, which is changed on disk. */
  document: string | undefined;
  action: string;
}

export function contractPage(csrf: string, v: ContractView, n?: Notice): string {
  const s = v.summary;
  const facts = html`<dl>
<dt>Namespace</dt><dd>${namespaceOf(s)}</dd>
<dt>Source</dt><dd>${String(s.source)}</dd>
<dt>Status</dt><dd>${String(s.status)}</dd>
<dt>Tenants</dt><dd>${s.tenants === null ? 'every tenant' : (s.tenants as string[]).join(', ')}</dd>
</dl>`;
  const editor = v.document === undefined
    ? html`<p>This contract is a file in the contracts folder: change it there.</p>`
    : html`<form method="post" action="${v.action}">
${csrfField(csrf)}
<p class="field"><label for="document">Contract document (JSON-LD)</label>
<span class="hint" id="document-hint">Validate checks it against the profile without saving; Save puts it in force.</span>
<textarea id="document" name="document" aria-describedby="document-hint" spellcheck="false">${v.document}</textarea></p>
<button type="submit" name="intent" value="validate" class="secondary">Validate</button>
<button type="submit" name="intent" value="save">Save</button>
</form>`;
  return page({ title: `Contract ${String(s.uid)}`, csrf }, html`${notice(n)}${facts}${editor}`);
}

export interface CallerValues {
  roles: string;
  clientId: string;
  sub: string;
  organisation: string;
  purpose: string;
  issuer: string;
  recipient: string;
}

export const CALLER_FIELDS: ReadonlyArray<[keyof CallerValues, string, string?]> = [
  ['roles', 'Roles', 'Comma separated, e.g. viewer, statistics'],
  ['clientId', 'Client id'],
  ['sub', 'Subject (sub)'],
  ['organisation', 'Organisation'],
  ['purpose', 'Purpose', 'A DPV purpose, e.g. dpv:PublicBenefit'],
  ['issuer', 'Issuer name', 'As contracts name it; empty: the city\'s own'],
  ['recipient', 'Declared recipient'],
];

function callerFields(v: CallerValues): Html {
  return html`<fieldset><legend>Caller</legend>${CALLER_FIELDS.map(([k, label, hint]) => field(k, label, v[k], hint))}</fieldset>`;
}

export function dryRunPage(csrf: string, values: CallerValues & { method: string; url: string; now: string }, result?: Json, n?: Notice): string {
  const outcome = result === undefined ? html`` : html`<section aria-labelledby="result">
<h2 id="result">Decision: <span class="${result.effect === 'permit' ? 'permit' : 'deny'}">${String(result.effect)}</span> (${String(result.reason)})</h2>
<p>${typeof result.detail === 'string' ? result.detail : ''}</p>
<pre>${JSON.stringify(result, null, 2)}</pre>
</section>`;
  return page({ title: 'Dry run', csrf }, html`${notice(n)}
<p>Would this request be permitted, and why? Decided as the gateway decides, without being forwarded or counted.</p>
<form method="post" action="${CONSOLE_PREFIX}/dry-run">
${csrfField(csrf)}
<fieldset><legend>Request</legend>
${field('method', 'Method', values.method || 'GET')}
${field('url', 'Path and query', values.url, 'e.g. /ngsi-ld/v1/entities?type=WaterMeter')}
${field('now', 'At', values.now, 'ISO 8601 date-time with a zone; empty: now')}
</fieldset>
${callerFields(values)}
<button type="submit">Decide</button>
</form>${outcome}`);
}

function attributesText(a: unknown): string {
  if (a === 'all') return 'all';
  if (Array.isArray(a)) return a.length === 0 ? '-' : a.join(', ');
  return `all but ${(a as { allExcept: string[] }).allExcept.join(', ')}`;
}

function ruleText(r: Json): string {
  if (r.hidden === true) return 'a rule outside your namespace';
  return `${String(r.contract)} #${String(r.index)}${typeof r.description === 'string' ? `: ${r.description}` : ''}`;
}

function conditionText(c: Json): string {
  switch (c.kind) {
    case 'within': return `only within ${(c.areas as unknown[]).length} area(s)`;
    case 'count': return `at most ${String(c.max)} per ${String(c.period)} (${String(c.scope)})`;
    case 'entityIds': return `entities named by id (${c.ids ? (c.ids as string[]).join(', ') : String(c.pattern)}): ${attributesText(c.attributes)}`;
    default: return 'needs consent';
  }
}

function cellHtml(c: Json): Html {
  const lines: string[] = [
    ...(c.conditions as Json[]).map((x) => `if ${conditionText(x)}`),
    ...(c.duties as string[]).map((d) => `duty: ${d}`),
    ...(c.rules as Json[]).map((r) => `by ${ruleText(r)}`),
    ...(c.prohibitions as Json[]).map((r) => `prohibited by ${ruleText(r)}`),
  ];
  const what = c.effect === 'permit' ? attributesText(c.attributes) : String(c.reason);
  return html`<span class="${c.effect === 'permit' ? 'permit' : 'deny'}">${String(c.effect)}</span>: ${what}${lines.length > 0 ? html`<ul>${lines.map((l) => html`<li>${l}</li>`)}</ul>` : ''}`;
}

export function matrixPage(csrf: string, values: CallerValues & { tenant: string; at: string }, explanation?: Json, n?: Notice): string {
  let table = html``;
  if (explanation !== undefined) {
    const types = explanation.types as Json[];
    const actions = types.length === 0 ? [] : Object.keys(types[0]!.actions as Json);
    table = html`<table>
<caption>Who sees what at ${String(explanation.at)}</caption>
<thead><tr><th scope="col">Entity type</th>${actions.map((a) => html`<th scope="col">${a}</th>`)}</tr></thead>
<tbody>${types.map((t) => html`<tr><th scope="row">${String(t.name)}</th>${actions.map((a) => html`<td>${cellHtml((t.actions as Record<string, Json>)[a]!)}</td>`)}</tr>`)}</tbody>
</table>`;
  }
  return page({ title: 'Who sees what', csrf }, html`${notice(n)}
<p>What a caller may see or change, per entity type and action, on which conditions and by which rules.</p>
<form method="post" action="${CONSOLE_PREFIX}/who-sees-what">
${csrfField(csrf)}
${callerFields(values)}
<fieldset><legend>Where and when</legend>
${field('tenant', 'Tenant', values.tenant, 'Empty: the default tenant')}
${field('at', 'At', values.at, 'ISO 8601 date-time with a zone; empty: now')}
</fieldset>
<button type="submit">Explain</button>
</form>${table}`);
}
