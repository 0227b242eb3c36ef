/** The login, consent and error pages. */
import type { RequestedData } from '../consent-request.js';
import { shortName } from '../consent-request.js';
import { escapeHtml as e, fill, page } from './html.js';
import type { Strings } from './strings-en.js';

export interface LoginView {
  action: string;
  csrf: string;
  client: string;
  failed: boolean;
  /** Set when too many attempts failed: the minutes until the next may be made. */
  waitMinutes?: number;
  /** An upstream identity provider to log in through instead: its name and the form's target. */
  upstream?: { name: string; action: string };
  /** Set when logging in through the upstream provider did not work. */
  upstreamFailed?: boolean;
}

export function loginPage(s: Strings, v: LoginView): string {
  const message = v.waitMinutes !== undefined ? fill(s.loginThrottled, { n: String(v.waitMinutes) })
    : v.upstreamFailed === true && v.upstream !== undefined ? fill(s.upstreamFailed, { name: v.upstream.name }) : s.loginFailed;
  const upstream = v.upstream === undefined ? '' : `
<form method="post" action="${e(v.upstream.action)}">
<input type="hidden" name="csrf" value="${e(v.csrf)}">
<button type="submit" class="secondary">${e(fill(s.logInWith, { name: v.upstream.name }))}</button>
</form>`;
  const error = v.failed ? `<p class="error" role="alert" id="login-error">${e(message)}</p>` : '';
  const described = v.failed ? ' aria-describedby="login-error"' : '';
  return page(s, s.loginTitle, `<p>${e(fill(s.loginIntro, { client: v.client }))}</p>
${error}<form method="post" action="${e(v.action)}">
<input type="hidden" name="csrf" value="${e(v.csrf)}">
<label for="username">${e(s.username)}</label>
<input type="text" id="username" name="username" autocomplete="username" autocapitalize="none" spellcheck="false" required${described}${v.failed ? '' : ' autofocus'}>
<label for="password">${e(s.password)}</label>
<input type="password" id="password" name="password" autocomplete="current-password" required${described}${v.failed ? ' autofocus' : ''}>
<button type="submit">${e(s.logIn)}</button>
</form>${upstream}`);
}

export interface ConsentView {
  action: string;
  csrf: string;
  client: string;
  organisation: string;
  /** DPV purpose IRI. */
  purpose: string;
  data: readonly RequestedData[];
  dayChoices: readonly number[];
  defaultDays: number;
}

/** A DPV purpose in plain words, as the consent screen shows it (its short name when there are none). */
export function purposeLabel(s: Strings, iri: string): string {
  return s.purposes[shortName(iri)] ?? shortName(iri);
}

/** Checkbox values are positions in `data` (`t.a`, or `t.all`), never names the browser could change. */
export function consentPage(s: Strings, v: ConsentView): string {
  const purposeName = purposeLabel(s, v.purpose);
  const items = v.data.map((d, t) => {
    const typeName = e(shortName(d.type));
    const boxes = d.attributes === null
      ? [`<div class="check"><input type="checkbox" id="a${t}" name="attr" value="${t}.all" checked><label for="a${t}">${e(s.allAttributes)}</label></div>`]
      : d.attributes.map((a, i) => `<div class="check"><input type="checkbox" id="a${t}-${i}" name="attr" value="${t}.${i}" checked><label for="a${t}-${i}">${e(shortName(a))}</label></div>`);
    return `<fieldset><legend>${typeName}</legend>\n${boxes.join('\n')}\n</fieldset>`;
  });
  const data = v.data.length === 0 ? `<p>${e(s.noData)}</p>` : `<p id="data-help">${e(s.dataHelp)}</p>\n${items.join('\n')}`;
  const options = v.dayChoices.map((n) => `<option value="${n}"${n === v.defaultDays ? ' selected' : ''}>${e(fill(s.days, { n: String(n) }))}</option>`).join('');
  return page(s, s.consentTitle, `<p>${e(fill(s.consentIntro, { client: v.client }))}</p>
<form method="post" action="${e(v.action)}">
<input type="hidden" name="csrf" value="${e(v.csrf)}">
<dl>
<dt>${e(s.organisation)}</dt><dd>${e(v.organisation)}</dd>
<dt>${e(s.purpose)}</dt><dd>${e(purposeName)}</dd>
<dt>${e(s.legalBasis)}</dt><dd>${e(s.legalBasisConsent)}</dd>
</dl>
<h2>${e(s.data)}</h2>
${data}
<label for="days">${e(s.duration)}</label>
<select id="days" name="days">${options}</select>
<button type="submit" name="decision" value="accept">${e(s.accept)}</button>
<button type="submit" name="decision" value="deny" class="secondary">${e(s.deny)}</button>
</form>`);
}

export function errorPage(s: Strings): string {
  return page(s, s.errorTitle, `<p>${e(s.errorText)}</p>`);
}
