/**
 * The wallet's pages in the citizen's language: their consents with what each covers and a
 * button to withdraw it, who read their data, the export; the signed-out page; refusals.
 * Every value is escaped where it is put (src/web); no script, one stylesheet.
 */
import { statusAt, type ConsentRecord } from '../consent/index.js';
import { LANGUAGE_CODES, purposeLabel, shortName, type Strings } from '../issuer/index.js';
import { Html, csrfField, html } from '../web/index.js';
import type { Access } from './history.js';
import { WALLET_PREFIX } from './sign-in.js';

/** How a citizen reads a client or a recipient: its name and, where it has one apart, its organisation. */
export interface PartyName {
  name: string;
  organisation?: string;
}

const LANGUAGE_NAMES: Readonly<Record<string, string>> = { en: 'English', de: 'Deutsch' };

function fill(template: string, values: Record<string, string>): string {
  return template.replace(/\{(\w+)\}/g, (_m, k: string) => values[k] ?? '');
}

/** A moment as the citizen's language writes it, in UTC (the server does not know their zone). */
function when(s: Strings, iso: string): string {
  const at = new Date(iso);
  return Number.isNaN(at.getTime()) ? iso : `${new Intl.DateTimeFormat(s.lang, { dateStyle: 'medium', timeStyle: 'short', timeZone: 'UTC' }).format(at)} UTC`;
}

function partyText(p: PartyName): string {
  return p.organisation === undefined || p.organisation === p.name ? p.name : `${p.name} (${p.organisation})`;
}

interface Frame {
  s: Strings;
  title: string;
  /** Signed in: the sign-out form, which needs the session's CSRF token. */
  csrf?: string;
}

/** A whole page: language, title, stylesheet, skip link, the language switch, and the main content. */
export function page(f: Frame, main: Html): string {
  const w = f.s.wallet;
  const languages = LANGUAGE_CODES.map((code) => code === f.s.lang
    ? html`<li><a href="${WALLET_PREFIX}/language?lang=${code}" lang="${code}" hreflang="${code}" aria-current="true">${LANGUAGE_NAMES[code] ?? code}</a></li>`
    : html`<li><a href="${WALLET_PREFIX}/language?lang=${code}" lang="${code}" hreflang="${code}">${LANGUAGE_NAMES[code] ?? code}</a></li>`);
  const signOut = f.csrf === undefined ? '' : html`<form method="post" action="${WALLET_PREFIX}/sign-out">
    ${csrfField(f.csrf)}
    <button type="submit">${w.signOut}</button>
  </form>`;
  return html`<!doctype html>
<html lang="${f.s.lang}">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>${f.title} · ${w.brand}</title>
<link rel="stylesheet" href="${WALLET_PREFIX}/style.css">
</head>
<body>
<a class="skip" href="#main">${w.skip}</a>
<header><p class="brand">${w.brand}</p>
<nav aria-label="${w.language}" class="lang"><ul>${languages}</ul></nav>
${signOut}
</header>
<main id="main">
<h1>${f.title}</h1>
${main}
</main>
</body>
</html>
`.text;
}

function dataList(s: Strings, record: ConsentRecord): Html {
  return html`<ul>${record.personalData.map((d) => html`<li>${d.attributes === null
    ? fill(s.wallet.allOf, { type: shortName(d.type) })
    : `${shortName(d.type)}: ${d.attributes.map(shortName).join(', ')}`}</li>`)}</ul>`;
}

function validity(s: Strings, record: ConsentRecord): string {
  const withdrawn = record.events.find((e) => e.event === 'withdrawn');
  const range = record.validUntil === undefined
    ? fill(s.wallet.validFrom, { from: when(s, record.givenAt) })
    : fill(s.wallet.validFromUntil, { from: when(s, record.givenAt), until: when(s, record.validUntil) });
  return withdrawn === undefined ? range : `${range}; ${fill(s.wallet.withdrawnAt, { at: when(s, withdrawn.at) })}`;
}

function consentCard(s: Strings, csrf: string, record: ConsentRecord, i: number, now: number, recipient: PartyName, offers: boolean): Html {
  const w = s.wallet;
  const status = statusAt(record, now);
  const heading = `consent-${i}`;
  const withdraw = status !== 'given' ? '' : html`<form method="post" action="${WALLET_PREFIX}/consents/${encodeURIComponent(record.id)}/withdraw">
  ${csrfField(csrf)}
  <button type="submit" aria-describedby="${heading}">${w.withdraw}</button>
</form>`;
  const offer = status !== 'given' || !offers ? '' : html`<form method="post" action="${WALLET_PREFIX}/consents/${encodeURIComponent(record.id)}/offer">
  ${csrfField(csrf)}
  <button type="submit" class="secondary" aria-describedby="${heading}">${w.addToWallet}</button>
</form>`;
  return html`<article class="card" aria-labelledby="${heading}">
<h3 id="${heading}">${partyText(recipient)}</h3>
<dl class="facts">
<dt>${w.status}</dt><dd><span class="status-${status}">${w.statuses[status] ?? status}</span></dd>
<dt>${w.recipient}</dt><dd>${partyText(recipient)}</dd>
<dt>${w.purpose}</dt><dd>${record.purposes.map((p) => purposeLabel(s, p)).join(', ')}</dd>
<dt>${w.data}</dt><dd>${dataList(s, record)}</dd>
<dt>${w.legalBasis}</dt><dd>${w.legalBasisConsent}</dd>
<dt>${w.validity}</dt><dd>${validity(s, record)}</dd>
</dl>
${withdraw}
${offer}
</article>`;
}

export interface WalletView {
  csrf: string;
  now: number;
  /** Newest first. */
  records: readonly ConsentRecord[];
  recipientOf: (record: ConsentRecord) => PartyName;
  accesses: readonly Access[];
  readerOf: (access: Access) => PartyName;
  /** Shown at the top: a consent just withdrawn, by its recipient. */
  withdrawn?: PartyName;
  /** Receipts can be taken into a wallet app (OID4VCI): each consent in force offers it. */
  offers?: boolean;
}

export function walletPage(s: Strings, v: WalletView): string {
  const w = s.wallet;
  const notice = v.withdrawn === undefined ? '' : html`<p class="ok" role="status">${fill(w.withdrawn, { recipient: partyText(v.withdrawn) })}</p>`;
  const consents = v.records.length === 0
    ? html`<p>${w.noConsents}</p>`
    : v.records.map((r, i) => consentCard(s, v.csrf, r, i, v.now, v.recipientOf(r), v.offers === true));
  const history = v.accesses.length === 0 ? html`<p>${w.noHistory}</p>` : html`<p id="history-intro">${w.historyIntro}</p>
<table aria-describedby="history-intro">
<thead><tr><th scope="col">${w.when}</th><th scope="col">${w.who}</th><th scope="col">${w.data}</th><th scope="col">${w.purpose}</th></tr></thead>
<tbody>
${v.accesses.map((a) => html`<tr><td>${when(s, a.at)}</td><td>${partyText(v.readerOf(a))}</td><td>${a.types.map(shortName).join(', ')}: ${a.attrs.map(shortName).join(', ')}</td><td>${a.purpose === undefined ? '' : purposeLabel(s, a.purpose)}</td></tr>`)}
</tbody>
</table>`;
  return page({ s, title: w.consentsTitle, csrf: v.csrf }, html`${notice}
<p>${w.consentsIntro}</p>
${consents}
<h2>${w.historyTitle}</h2>
${history}
<h2>${w.exportTitle}</h2>
<p>${w.exportText}</p>
<p><a href="${WALLET_PREFIX}/export" download="consents.json">${w.exportLink}</a></p>`);
}

export interface OfferView {
  csrf: string;
  recipient: PartyName;
  /** `openid-credential-offer://...` */
  uri: string;
  qr: Html;
  txCode: string;
  expiresAt: number;
}

/** A consent's receipt offered to a wallet app: the QR code, the same offer as a link, and the transaction code. */
export function offerPage(s: Strings, v: OfferView): string {
  const w = s.wallet;
  return page({ s, title: w.offerTitle, csrf: v.csrf }, html`<p>${fill(w.offerIntro, { recipient: partyText(v.recipient) })}</p>
<figure class="offer">${v.qr}</figure>
<p><a class="offer-link" href="${v.uri}">${w.offerLink}</a></p>
<p>${w.offerTxCode}: <strong class="tx-code">${v.txCode}</strong></p>
<p>${fill(w.offerExpires, { at: when(s, new Date(v.expiresAt).toISOString()) })}</p>
<p>${w.offerRevoked}</p>
<p><a href="${WALLET_PREFIX}">${w.back}</a></p>`);
}

export function signedOutPage(s: Strings): string {
  return page({ s, title: s.wallet.signedOutTitle }, html`<p>${s.wallet.signedOutText}</p>
<p><a href="${WALLET_PREFIX}/sign-in">${s.wallet.signIn}</a></p>`);
}

/** A refusal in words the citizen can act on; nothing of the request is quoted. */
export function errorPage(s: Strings, status: number, reason: string, csrf?: string): string {
  const w = s.wallet;
  const text = status === 404 ? w.notFound
    : reason === 'csrf_token_invalid' ? w.formExpired
      : reason === 'wallet_sign_in_failed' ? w.signInFailed
        : reason === 'consent_not_in_force' ? w.notInForce
        : status >= 500 ? w.unavailable : s.errorText;
  return page({ s, title: w.errorTitle, ...(csrf === undefined ? {} : { csrf }) }, html`<p class="error" role="alert">${text}</p>
<p><a href="${WALLET_PREFIX}">${w.back}</a></p>`);
}

