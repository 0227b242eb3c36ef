/**
 * The wallet as a fastify plugin under /wallet. Each page is an exchange like any other of
 * the gateway (src/web): audited, refused as a page, and without a session sent to sign in.
 *
 * Cookies, all `__Host-` (HTTPS only, this host, every path, never readable by script):
 * - the session: a random id; the citizen's identity stays on the server;
 * - the sign-in under way: a random id for its state, nonce and PKCE verifier, used once;
 * - the language chosen, when one was.
 * They are SameSite=Lax, not Strict. The sign-in comes back from the issuer as a top-level
 * GET, and when it began on another site (a link in a letter, in an app) browsers count the
 * whole redirect chain as cross-site and would hold back a Strict cookie: the sign-in could
 * not be matched to the browser that started it, and a link to the wallet would never find
 * the session. Lax still keeps the cookies off every cross-site POST, sub-request and
 * frame; every POST also needs the session's CSRF token, and no GET changes anything but
 * the sign-in, whose state must match.
 */
import type { FastifyInstance } from 'fastify';
import type { JWK } from 'jose';
import { MimtrustError } from '../errors/index.js';
import { AttemptLimiter, addressKey, type ExpiringKeys } from '../lib/index.js';
import type { AuditRecord } from '../audit/index.js';
import type { VerifiedToken } from '../auth/index.js';
import { EXPORT_DISPOSITION, exportRecords, type Citizen, type Consents, type ConsentRecord, type EventOrigin } from '../consent/index.js';
import { auditPermitted, extend, pipeline, type Answered, type ExchangeDeps, type Pipeline, type Received, type Trail } from '../gateway/index.js';
import { LANGUAGE_CODES, OIDC_PREFIX, stringsFor, type FirstPartyClient, type Strings } from '../issuer/index.js';
import {
  PAGE_HEADERS, STYLE, Sessions, cookieOf, formOf, pageExchange, pageReply, redirectReply, sameSecret, setCookie, type Session as WebSession,
} from '../web/index.js';
import { accessesOf, type Access } from './history.js';
import type { Offer } from '../credentials/index.js';
import { errorPage, offerPage, signedOutPage, walletPage, type PartyName } from './pages.js';
import { offerQrSvg } from './offer-qr.js';
import { WALLET_PREFIX, authorizeLocation, citizenOf, pendingSignIn, signInFailed, tokenRequest, type PendingSignIn } from './sign-in.js';

export interface WalletDeps extends ExchangeDeps {
  consents: Consents;
  /** The city's own issuer: its identifier and the keys its ID tokens are signed with. */
  issuer: string;
  issuerKeys: readonly JWK[];
  client: FirstPartyClient;
  /** The newest audit records releasing this data subject's data, at most `limit`. */
  accessHistory: (subject: string, limit: number) => Promise<readonly AuditRecord[]>;
  /** A consent's recipient (as contract parties are written) as a citizen reads it. */
  recipientName: (recipient: string) => PartyName;
  /** A reader (the client of a token at an issuer) as a citizen reads it. */
  readerName: (issuer: string | undefined, clientId: string | undefined) => PartyName;
  /** Receipts into a wallet app (OID4VCI): an offer of one of the citizen's consents in force. */
  offers?: { offer(citizen: Citizen, consentId: string): Promise<Offer> };
  /** Where sessions and sign-ins under way are kept: the store. */
  sessionKeys: ExpiringKeys;
}

const SESSION_COOKIE = '__Host-mimtrust-wallet';
const SIGN_IN_COOKIE = '__Host-mimtrust-wallet-sign-in';
const LANGUAGE_COOKIE = '__Host-mimtrust-lang';
const SESSION_MS = 60 * 60 * 1000;
const SIGN_IN_MS = 10 * 60 * 1000;
/** Sign-ins one address may start within SIGN_IN_MS: far more than a person needs, a small share of the cap. */
const SIGN_INS_PER_ADDRESS = 30;
const HISTORY_LIMIT = 200;
const YEAR_SEC = 365 * 24 * 3600;

/** The session holds the citizen as the audit names a caller: the wallet's client at the issuer. */
type Session = WebSession<{ identity: VerifiedToken }>;
type InSession = Received & { token: VerifiedToken; session: Session; form: URLSearchParams };

const cookie = (name: string, value: string, maxAgeSec: number): string => setCookie(name, value, maxAgeSec, 'Lax');
const signInRequired = (): MimtrustError => new MimtrustError('UNAUTHENTICATED', 'Sign in to use the wallet.', { reason: 'wallet_sign_in_required' });
const csrfRefused = (): MimtrustError => new MimtrustError('FORBIDDEN', 'The form could not be accepted: reload the page and try again.', { reason: 'csrf_token_invalid' });

function stringsOf(r: Received): Strings {
  const accept = r.raw.headers['accept-language'];
  return stringsFor(typeof accept === 'string' ? accept : undefined, cookieOf(r.raw.headers.cookie, LANGUAGE_COOKIE));
}

function auditAs(r: Received, operation: string, id?: string): void {
  r.auditAs = { operation, action: 'consent', targets: { entityIds: id === undefined ? [] : [id], types: [], attrs: [] } };
}

function citizen(r: InSession): Citizen {
  return { issuer: r.token.issuer, sub: r.token.sub as string };
}

function origin(r: Received): EventOrigin {
  return { requestId: r.requestId, decisionId: r.decisionId, method: r.raw.method, path: r.raw.url.split('?')[0] ?? WALLET_PREFIX };
}

function queryOf(r: Received): URLSearchParams {
  const q = r.raw.url.indexOf('?');
  return new URLSearchParams(q === -1 ? '' : r.raw.url.slice(q + 1));
}

export function walletPlugin(deps: WalletDeps) {
  const sessions = new Sessions<{ identity: VerifiedToken }>({ keys: deps.sessionKeys, name: 'wallet', maxAgeMs: SESSION_MS });
  const pending = new Sessions<PendingSignIn>({ keys: deps.sessionKeys, name: 'wallet-sign-in', maxAgeMs: SIGN_IN_MS, max: 10_000 });

  const exchange = (p: Pipeline<Received, Answered>) =>
    pageExchange<Trail & { session?: Session }>(p, deps, {
      signInReason: 'wallet_sign_in_required',
      signInPath: `${WALLET_PREFIX}/sign-in`,
      errorPage: (e, trail) => errorPage(stringsOf(trail), e.status, e.reason, trail.session?.csrf),
    });

  const withSession = async (r: Received): Promise<InSession> => {
    const session = await sessions.find(cookieOf(r.raw.headers.cookie, SESSION_COOKIE));
    if (session === undefined) throw signInRequired();
    const form = formOf(r.rawBody);
    const withToken = extend(r, { token: session.identity, session, form });
    if (r.raw.method === 'POST' && !sameSecret(form.get('csrf'), session.csrf)) throw csrfRefused();
    return withToken;
  };
  const page = (handler: (r: InSession) => Answered | Promise<Answered>) => exchange(
    pipeline<Received>()
      .then('session', withSession)
      .then('handle', handler)
      .then('audit', auditPermitted(deps)),
  );

  const recipientOf = (record: ConsentRecord): PartyName => deps.recipientName(record.recipient);
  const readerOf = (a: Access): PartyName => deps.readerName(a.issuer, a.clientId);

  const home = page(async (r) => {
    auditAs(r, 'wallet.view');
    const who = citizen(r);
    const records = (await deps.consents.ofCitizen(who, r.startedAt)).reverse();
    const subject = deps.consents.dataSubject(who).id;
    const accesses = accessesOf(await deps.accessHistory(subject, HISTORY_LIMIT), subject);
    const justWithdrawn = records.find((c) => c.id === queryOf(r).get('withdrawn') && c.events.some((e) => e.event === 'withdrawn'));
    return pageReply(r, 200, walletPage(stringsOf(r), {
      csrf: r.session.csrf, now: r.startedAt, records, recipientOf, accesses, readerOf, offers: deps.offers !== undefined,
      ...(justWithdrawn === undefined ? {} : { withdrawn: recipientOf(justWithdrawn) }),
    }));
  });

  const withdraw = page(async (r) => {
    const id = r.params.id ?? '';
    auditAs(r, 'consent.withdraw', id);
    const record = await deps.consents.withdraw(citizen(r), id, r.startedAt, origin(r));
    return redirectReply(r, `${WALLET_PREFIX}?withdrawn=${encodeURIComponent(record.id)}`);
  });

  const offer = page(async (r) => {
    const id = r.params.id ?? '';
    auditAs(r, 'consent.offer', id);
    if (deps.offers === undefined) throw new MimtrustError('NOT_FOUND', 'No such resource.', { reason: 'unknown_path' });
    const s = stringsOf(r);
    const made = await deps.offers.offer(citizen(r), id);
    return pageReply(r, 200, offerPage(s, {
      csrf: r.session.csrf, recipient: recipientOf(made.record), uri: made.uri, qr: await offerQrSvg(made.uri, s.wallet.offerQr), txCode: made.txCode, expiresAt: made.expiresAt,
    }));
  });

  const exportAll = page(async (r) => {
    auditAs(r, 'consent.export');
    const body = JSON.stringify(await exportRecords(deps.consents, citizen(r), r.startedAt), null, 2);
    return pageReply(r, 200, body, { 'content-type': 'application/json; charset=utf-8', 'content-disposition': EXPORT_DISPOSITION });
  });

  const signOut = page(async (r) => {
    auditAs(r, 'wallet.signOut');
    await sessions.close(r.session.id);
    return redirectReply(r, `${WALLET_PREFIX}/signed-out`, { 'set-cookie': cookie(SESSION_COOKIE, '', 0) });
  });

  // Sign-ins under way are capped, and a new one is refused at the cap: one address may not
  // start enough of them to keep everybody else from starting one (an IPv6
  // address by its /64, see addressKey).
  const starts = new AttemptLimiter({ maxFailures: SIGN_INS_PER_ADDRESS, windowMs: SIGN_IN_MS });
  const signIn = exchange(pipeline<Received>()
    .then('handle', async (r) => {
      auditAs(r, 'wallet.signIn');
      const from = addressKey(r.clientIp);
      const wait = starts.waitMs(from, r.startedAt);
      if (wait > 0) {
        throw new MimtrustError('TOO_MANY_REQUESTS', 'Too many sign-ins were started from this address; try again later.', {
          reason: 'wallet_sign_in_throttled', headers: { 'retry-after': String(Math.ceil(wait / 1000)) },
        });
      }
      starts.fail(from, r.startedAt);
      const p = await pending.open(pendingSignIn());
      return redirectReply(r, authorizeLocation(`${OIDC_PREFIX}/auth`, deps.client, p, stringsOf(r).lang), {
        'set-cookie': cookie(SIGN_IN_COOKIE, p.id, SIGN_IN_MS / 1000),
      });
    })
    .then('audit', auditPermitted(deps)));

  return async (app: FastifyInstance): Promise<void> => {
    app.addContentTypeParser('application/x-www-form-urlencoded', { parseAs: 'buffer' }, (_req, body, done) => done(null, body));

    /** Redeems the code at the issuer in process: the request never leaves the gateway. */
    const redeem = async (code: string, p: PendingSignIn): Promise<unknown> => {
      const { body, authorization } = tokenRequest(deps.client, code, p);
      const res = await app.inject({
        method: 'POST', url: `${OIDC_PREFIX}/token`, payload: body,
        headers: { 'content-type': 'application/x-www-form-urlencoded', authorization },
      });
      if (res.statusCode !== 200) throw signInFailed('The issuer did not accept the code.');
      return (JSON.parse(res.body) as { id_token?: unknown }).id_token;
    };

    const callback = exchange(pipeline<Received>()
      .then('sign-in', async (r) => {
        auditAs(r, 'wallet.signIn');
        // Used once, whatever comes of it; a missing or other browser's sign-in is refused.
        const p = await pending.take(cookieOf(r.raw.headers.cookie, SIGN_IN_COOKIE));
        const q = queryOf(r);
        if (p === undefined || !sameSecret(q.get('state'), p.state)) throw signInFailed('This sign-in was not started in this browser, or has expired.');
        const code = q.get('code');
        if (code === null || code === '') throw signInFailed('The issuer sent no code back.');
        const who = await citizenOf(await redeem(code, p), { issuer: deps.issuer, clientId: deps.client.clientId, keys: deps.issuerKeys, nonce: p.nonce });
        // Only a person who can have consent records gets a session.
        deps.consents.dataSubject(who);
        const identity: VerifiedToken = { issuer: who.issuer, sub: who.sub, clientId: deps.client.clientId, roles: [], exp: who.exp, claims: {} };
        return extend(r, { token: identity });
      })
      .then('handle', async (r) => {
        const s = await sessions.open({ identity: r.token });
        const maxAge = Math.max(0, Math.floor((s.expiresAt - r.startedAt) / 1000));
        return redirectReply(r, WALLET_PREFIX, { 'set-cookie': [cookie(SESSION_COOKIE, s.id, maxAge), cookie(SIGN_IN_COOKIE, '', 0)] });
      })
      .then('audit', auditPermitted(deps)));

    app.get(`${WALLET_PREFIX}/style.css`, async (_req, res) => {
      void res.headers(deps.headers).header('content-type', 'text/css; charset=utf-8').header('cache-control', 'no-cache').send(STYLE);
    });
    app.get(`${WALLET_PREFIX}/language`, async (req, res) => {
      const lang = (req.query as Record<string, unknown>).lang;
      void res.code(303).headers(deps.headers).header('cache-control', 'no-store').header('location', WALLET_PREFIX);
      if (typeof lang === 'string' && LANGUAGE_CODES.includes(lang)) void res.header('set-cookie', cookie(LANGUAGE_COOKIE, lang, YEAR_SEC));
      return res.send();
    });
    app.get(`${WALLET_PREFIX}/signed-out`, async (req, res) => {
      const s = stringsFor(req.headers['accept-language'], cookieOf(req.headers.cookie, LANGUAGE_COOKIE));
      void res.headers(deps.headers).headers(PAGE_HEADERS).send(signedOutPage(s));
    });
    app.get(`${WALLET_PREFIX}/sign-in`, signIn);
    app.get(`${WALLET_PREFIX}/callback`, callback);
    app.get(WALLET_PREFIX, home);
    app.post(`${WALLET_PREFIX}/consents/:id/withdraw`, withdraw);
    app.post(`${WALLET_PREFIX}/consents/:id/offer`, offer);
    app.get(`${WALLET_PREFIX}/export`, exportAll);
    app.post(`${WALLET_PREFIX}/sign-out`, signOut);
  };
}
