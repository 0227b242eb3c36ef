/**
 * The login and consent screens of the issuer (oidc-provider "interactions"), one URL per
 * interaction: GET shows what the interaction needs next, POST answers it. A form carries
 * a token bound to its interaction by an HMAC with the issuer's secret, besides the
 * interaction cookie oidc-provider checks, so no other site can post it for the citizen.
 * Accepting calls Consents.give for the attributes ticked, and the grant records the
 * consents so that every access token on it names them; refusing ends with access_denied.
 * Failed logins are counted (login-throttle.ts) and, past the limit, wait with 429.
 */
import { createHmac, timingSafeEqual } from 'node:crypto';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { Accounts } from '../accounts/index.js';
import type { Consents } from '../consent/index.js';
import type { PolicySnapshot } from '../contracts/index.js';
import { readBounded } from '../lib/index.js';
import { clientPurpose } from './clients.js';
import { chosenData, consentRequest } from './consent-request.js';
import { GATEWAY_RESOURCE, OIDC_PREFIX } from './constants.js';
import { LoginThrottle, type FailureCounters, type LoginThrottleSettings } from './login-throttle.js';
import type { IssuerProvider } from './provider.js';
import { UpstreamLoginError, type UpstreamLogin } from './upstream-login.js';
import { consentPage, contentSecurityPolicy, errorPage, loginPage, stringsFor, type Strings } from './views/index.js';

export interface InteractionDeps {
  issuer: IssuerProvider;
  /** The issuer's identifier and the name contracts give it. */
  issuerId: string;
  issuerName: string;
  accounts: Accounts;
  consents: Consents;
  snapshot: () => PolicySnapshot | undefined;
  secret: string;
  consentDays: { choices: readonly number[]; default: number };
  /** How long a grant and its terms are kept (the refresh token lifetime). */
  grantTtlSec: number;
  loginThrottle: LoginThrottleSettings;
  /** Where failed logins are counted; in memory when not given. */
  loginFailures?: FailureCounters;
  /** An upstream identity provider citizens may log in through. */
  upstream?: UpstreamLogin;
  /** Told why an upstream login failed; the citizen sees one message for every reason. */
  onUpstreamFailure?: (err: UpstreamLoginError) => void;
}

const MAX_FORM_BYTES = 16 * 1024;
const DAY_MS = 86_400_000;
type Interaction = Awaited<ReturnType<IssuerProvider['provider']['interactionDetails']>>;

function csrfFor(secret: string, uid: string): string {
  return createHmac('sha256', secret).update(`interaction-form:${uid}`).digest('base64url');
}

function csrfHolds(secret: string, uid: string, given: string | null): boolean {
  const expected = Buffer.from(csrfFor(secret, uid));
  const got = Buffer.from(given ?? '');
  return got.length === expected.length && timingSafeEqual(got, expected);
}

async function readForm(req: FastifyRequest): Promise<URLSearchParams | undefined> {
  if (!/^application\/x-www-form-urlencoded\s*(;|$)/i.test(req.headers['content-type'] ?? '')) return undefined;
  const body = await readBounded(req.raw, MAX_FORM_BYTES);
  return body === undefined ? undefined : new URLSearchParams(body.toString('utf8'));
}

export function interactionRoutes(deps: InteractionDeps) {
  const { provider, clients } = deps.issuer;

  function send(reply: FastifyReply, status: number, html: string, formTargets: readonly string[] = []): FastifyReply {
    return reply.code(status).headers({
      'content-type': 'text/html; charset=utf-8',
      'content-security-policy': contentSecurityPolicy(formTargets),
      'cache-control': 'no-store',
      'x-content-type-options': 'nosniff',
      'x-frame-options': 'DENY',
      'referrer-policy': 'no-referrer',
    }).send(html);
  }

  /** Origins the browser is sent on to after a form: the client's redirect URIs. */
  function targets(interaction: Interaction): string[] {
    const redirect = interaction.params.redirect_uri;
    return typeof redirect === 'string' && URL.canParse(redirect) ? [new URL(redirect).origin] : [];
  }

  async function details(req: FastifyRequest, reply: FastifyReply, s: Strings): Promise<Interaction | undefined> {
    try {
      const interaction = await provider.interactionDetails(req.raw, reply.raw);
      if (interaction.uid === (req.params as { uid: string }).uid) return interaction;
    } catch {
      // No interaction for this browser: expired, or its cookie is missing.
    }
    send(reply, 400, errorPage(s));
    return undefined;
  }

  function asker(interaction: Interaction) {
    const client = clients.get(String(interaction.params.client_id));
    if (client === undefined) return undefined;
    const purpose = clientPurpose(client, interaction.params.purpose);
    return purpose === undefined ? undefined : { client, purpose };
  }

  function showConsent(reply: FastifyReply, s: Strings, interaction: Interaction, status = 200): FastifyReply {
    const a = asker(interaction);
    if (a === undefined) return send(reply, 400, errorPage(s));
    const data = consentRequest(deps.snapshot(), { issuer: deps.issuerId, clientId: a.client.clientId, purpose: a.purpose, ...(a.client.organisation ? { organisation: a.client.organisation } : {}) });
    return send(reply, status, consentPage(s, {
      action: `${OIDC_PREFIX}/interaction/${interaction.uid}`, csrf: csrfFor(deps.secret, interaction.uid),
      client: a.client.displayName, organisation: a.client.organisation ?? a.client.displayName, purpose: a.purpose, data,
      dayChoices: deps.consentDays.choices, defaultDays: deps.consentDays.default,
    }), targets(interaction));
  }

  type LoginOutcome = { failed: false } | { failed: true; waitMs?: number; upstreamFailed?: boolean };
  async function showLogin(reply: FastifyReply, s: Strings, interaction: Interaction, outcome: LoginOutcome): Promise<FastifyReply> {
    const client = clients.get(String(interaction.params.client_id));
    const action = `${OIDC_PREFIX}/interaction/${interaction.uid}`;
    const formTargets = targets(interaction);
    // The upstream button's form is answered with a redirect there, which form-action governs too.
    const upstreamOrigin = await deps.upstream?.authorizationOrigin();
    if (upstreamOrigin !== undefined) formTargets.push(upstreamOrigin);
    const waitMs = outcome.failed ? outcome.waitMs : undefined;
    if (waitMs !== undefined) void reply.header('retry-after', String(Math.ceil(waitMs / 1000)));
    return send(reply, waitMs !== undefined ? 429 : outcome.failed ? 400 : 200, loginPage(s, {
      action, csrf: csrfFor(deps.secret, interaction.uid), // The city's own pages are named in the citizen's language.
      client: client?.firstParty ? s.wallet.name : client?.displayName ?? '', failed: outcome.failed,
      ...(waitMs !== undefined ? { waitMinutes: Math.ceil(waitMs / 60_000) } : {}),
      ...(deps.upstream !== undefined ? { upstream: { name: deps.upstream.settings.name, action: `${action}/upstream` } } : {}),
      ...(outcome.failed && outcome.upstreamFailed === true ? { upstreamFailed: true } : {}),
    }), formTargets);
  }

  const throttle = new LoginThrottle(deps.loginThrottle, deps.loginFailures);
  async function login(req: FastifyRequest, reply: FastifyReply, s: Strings, interaction: Interaction, form: URLSearchParams): Promise<FastifyReply> {
    const username = form.get('username') ?? '';
    const now = Date.now();
    // Counted as failed before the password is checked, so guesses sent at once cannot all be tried.
    const wait = await throttle.attempt(username, req.ip, now);
    if (wait > 0) return showLogin(reply, s, interaction, { failed: true, waitMs: wait });
    const account = await deps.accounts.login(username, form.get('password') ?? '');
    if (account === undefined) return showLogin(reply, s, interaction, { failed: true });
    await throttle.succeeded(username, req.ip, now);
    return finish(req, reply, { login: { accountId: account.id } });
  }

  async function finish(req: FastifyRequest, reply: FastifyReply, result: Parameters<typeof provider.interactionResult>[2]): Promise<FastifyReply> {
    const to = await provider.interactionResult(req.raw, reply.raw, result, { mergeWithLastSubmission: false });
    return reply.code(303).header('location', to).header('cache-control', 'no-store').send();
  }

  async function accept(req: FastifyRequest, reply: FastifyReply, interaction: Interaction, form: URLSearchParams, s: Strings): Promise<FastifyReply> {
    const a = asker(interaction);
    const accountId = interaction.session?.accountId;
    if (a === undefined || accountId === undefined || await deps.accounts.active(accountId) === undefined) return send(reply, 400, errorPage(s));
    const days = Number(form.get('days'));
    if (!deps.consentDays.choices.includes(days)) return showConsent(reply, s, interaction, 400);
    const asked = consentRequest(deps.snapshot(), { issuer: deps.issuerId, clientId: a.client.clientId, purpose: a.purpose, ...(a.client.organisation ? { organisation: a.client.organisation } : {}) });
    const personalData = chosenData(asked, form.getAll('attr'));
    const now = Date.now();
    const consents: string[] = [];
    if (personalData.length > 0) {
      const record = await deps.consents.give({ issuer: deps.issuerId, sub: accountId }, {
        recipient: `@${deps.issuerName}/${a.client.clientId}`, purposes: [a.purpose], personalData, validUntil: now + days * DAY_MS,
      }, now);
      consents.push(record.id);
    }
    const grant = interaction.grantId ? await provider.Grant.find(interaction.grantId) : undefined;
    const g = grant ?? new provider.Grant({ accountId, clientId: a.client.clientId });
    const missing = interaction.prompt.details as { missingOIDCScope?: string[]; missingOIDCClaims?: string[]; missingResourceScopes?: Record<string, string[]> };
    if (missing.missingOIDCScope) g.addOIDCScope(missing.missingOIDCScope.join(' '));
    if (missing.missingOIDCClaims) g.addOIDCClaims(missing.missingOIDCClaims);
    for (const [resource, scopes] of Object.entries(missing.missingResourceScopes ?? {})) g.addResourceScope(resource, scopes.join(' '));
    g.addResourceScope(GATEWAY_RESOURCE, a.client.scopes.join(' '));
    const grantId = await g.save();
    await deps.issuer.terms.put(grantId, { purpose: a.purpose, consents }, deps.grantTtlSec);
    return finish(req, reply, { consent: { grantId } });
  }

  /** Logs the citizen in as the account the upstream identity is linked to. */
  async function upstreamReturn(req: FastifyRequest, reply: FastifyReply, s: Strings, interaction: Interaction, upstream: UpstreamLogin): Promise<FastifyReply> {
    const q = req.query as Record<string, unknown>;
    try {
      if (typeof q.state !== 'string' || typeof q.code !== 'string') throw new UpstreamLoginError('upstream_token_refused');
      const identity = await upstream.finish(interaction.uid, q.state, q.code);
      const account = await deps.accounts.linked(identity, identity.suggestedName, Date.now());
      if (account === undefined) return showLogin(reply, s, interaction, { failed: true });
      return finish(req, reply, { login: { accountId: account.id } });
    } catch (err) {
      if (!(err instanceof UpstreamLoginError)) throw err;
      deps.onUpstreamFailure?.(err);
      return showLogin(reply, s, interaction, { failed: true, upstreamFailed: true });
    }
  }

  return async (app: FastifyInstance): Promise<void> => {
    const { upstream } = deps;
    if (upstream !== undefined) {
      app.post('/interaction/:uid/upstream', async (req, reply) => {
        const s = stringsFor(req.headers['accept-language']);
        const interaction = await details(req, reply, s);
        if (interaction === undefined) return reply;
        const form = await readForm(req);
        if (form === undefined || !csrfHolds(deps.secret, interaction.uid, form.get('csrf'))) return send(reply, 403, errorPage(s));
        if (interaction.prompt.name !== 'login') return send(reply, 400, errorPage(s));
        try {
          return await reply.code(303).header('location', await upstream.start(interaction.uid)).header('cache-control', 'no-store').send();
        } catch (err) {
          if (!(err instanceof UpstreamLoginError)) throw err;
          deps.onUpstreamFailure?.(err);
          return showLogin(reply, s, interaction, { failed: true, upstreamFailed: true });
        }
      });
      // The upstream sends the browser here, outside the interaction's cookie path; the
      // interaction's own URL takes it on, where oidc-provider can tell whose it is.
      app.get('/upstream/callback', async (req, reply) => {
        const q = req.query as Record<string, unknown>;
        const uid = typeof q.state === 'string' ? await upstream.interactionOf(q.state) : undefined;
        if (uid === undefined) return send(reply, 400, errorPage(stringsFor(req.headers['accept-language'])));
        const forward = new URLSearchParams();
        for (const k of ['state', 'code', 'error']) if (typeof q[k] === 'string') forward.set(k, q[k]);
        return reply.code(303).header('location', `${OIDC_PREFIX}/interaction/${uid}/upstream?${forward.toString()}`).header('cache-control', 'no-store').send();
      });
      app.get('/interaction/:uid/upstream', async (req, reply) => {
        const s = stringsFor(req.headers['accept-language']);
        const interaction = await details(req, reply, s);
        if (interaction === undefined) return reply;
        if (interaction.prompt.name !== 'login') return send(reply, 400, errorPage(s));
        return upstreamReturn(req, reply, s, interaction, upstream);
      });
    }

    app.get('/interaction/:uid', async (req, reply) => {
      const s = stringsFor(req.headers['accept-language']);
      const interaction = await details(req, reply, s);
      if (interaction === undefined) return reply;
      return interaction.prompt.name === 'login' ? showLogin(reply, s, interaction, { failed: false }) : showConsent(reply, s, interaction);
    });

    app.post('/interaction/:uid', async (req, reply) => {
      const s = stringsFor(req.headers['accept-language']);
      const interaction = await details(req, reply, s);
      if (interaction === undefined) return reply;
      const form = await readForm(req);
      if (form === undefined || !csrfHolds(deps.secret, interaction.uid, form.get('csrf'))) return send(reply, 403, errorPage(s));
      if (interaction.prompt.name === 'login') return login(req, reply, s, interaction, form);
      if (interaction.prompt.name !== 'consent') return send(reply, 400, errorPage(s));
      if (form.get('decision') !== 'accept') return finish(req, reply, { error: 'access_denied', error_description: 'The person did not consent.' });
      return accept(req, reply, interaction, form, s);
    });
  };
}
