/**
 * The provider console as a fastify plugin: server-rendered pages over the admin API's own
 * actions (src/admin), for the same callers. Each page is a pipeline like an admin route:
 * the session stands in for the bearer token, the grant is worked out from its roles on
 * every request, every POST carries the session's CSRF token, and every exchange is
 * audited, a refusal too.
 */
import type { FastifyInstance } from 'fastify';
import { MimtrustError } from '../errors/index.js';
import {
  auditPermitted, checkSenderConstraint, extend, pipeline,
  type Answered, type Authenticated, type ExchangeDeps, type Pipeline, type Received, type Trail,
} from '../gateway/index.js';
import {
  auditAs, authorizeAdmin, contractActions, dryRunAction, explainAction, operatorNamespace, providerNamespace, visibleContracts,
  type Admin, type AdminDeps, type NamespaceOf,
} from '../admin/index.js';
import { PAGE_HEADERS, STYLE, Sessions, pageExchange, pageReply, redirectReply, cookieOf as cookieIn, formOf as formIn, randomId, sameSecret, setCookie, type Session as WebSession } from '../web/index.js';
import type { VerifiedToken } from '../auth/index.js';
import type { ExpiringKeys } from '../lib/index.js';
import { CONSOLE_PREFIX } from './html.js';
import {
  CALLER_FIELDS, contractPage, dryRunPage, errorPage, listPage, matrixPage, signInPage,
  type CallerValues, type Notice,
} from './pages.js';

type Session = WebSession<{ token: VerifiedToken }>;

export type ConsoleDeps = AdminDeps & ExchangeDeps & {
  /** Where sessions are kept: the store every instance and worker shares. */
  sessionKeys: ExpiringKeys;
};

/** `__Host-`: sent only over HTTPS, to this host, for every path; never readable by script. */
const SESSION_COOKIE = '__Host-mimtrust-console';
const SIGN_IN_COOKIE = '__Host-mimtrust-console-sign-in';

/** Console cookies go only with requests started on the gateway's own pages (SameSite=Strict): no step of the console comes from another site. */
const cookie = (name: string, value: string, maxAgeSec: number): string => setCookie(name, value, maxAgeSec, 'Strict');
const cookieOf = (r: Received, name: string): string | undefined => cookieIn(r.raw.headers.cookie, name);
const formOf = (r: Received): URLSearchParams => formIn(r.rawBody);

interface InSession extends Admin {
  session: Session;
  form: URLSearchParams;
}

const reply = pageReply;
const redirect = redirectReply;

const signInRequired = (): MimtrustError => new MimtrustError('UNAUTHENTICATED', 'Sign in to use the console.', { reason: 'console_sign_in_required' });
const csrfRefused = (): MimtrustError => new MimtrustError('FORBIDDEN', 'The form could not be accepted: reload the page and try again.', { reason: 'csrf_token_invalid' });

/**
 * Runs one console exchange. A refusal is audited like the admin API's and shown as a page
 * (the session's navigation kept); a missing or expired session is sent to sign in.
 */
function consoleExchange(p: Pipeline<Received, Answered>, deps: ConsoleDeps) {
  return pageExchange<Trail & { session?: Session }>(p, deps, {
    signInReason: 'console_sign_in_required',
    signInPath: `${CONSOLE_PREFIX}/sign-in`,
    errorPage: (e, trail) => errorPage(e.status, e.message, trail.session?.csrf),
  });
}

function callerValues(form: URLSearchParams): CallerValues {
  const v = {} as CallerValues;
  for (const [k] of CALLER_FIELDS) v[k] = form.get(k)?.trim() ?? '';
  return v;
}

/** The caller fields of a form as the admin API's JSON takes them: empty means absent. */
function callerJson(v: CallerValues): Record<string, unknown> {
  const out: Record<string, unknown> = { roles: v.roles.split(',').map((s) => s.trim()).filter(Boolean) };
  for (const [k] of CALLER_FIELDS) if (k !== 'roles' && v[k] !== '') out[k] = v[k];
  return out;
}

const EMPTY_CALLER: CallerValues = { roles: '', clientId: '', sub: '', organisation: '', purpose: '', issuer: '', recipient: '' };

/** The console's routes, sharing the server's exchange handling and the admin API's actions. */
export function consolePlugin(deps: ConsoleDeps) {
  const sessions = new Sessions<{ token: VerifiedToken }>({ keys: deps.sessionKeys, name: 'console' });

  const withSession = async (r: Received): Promise<Authenticated & { session: Session }> => {
    const session = await sessions.find(cookieOf(r, SESSION_COOKIE));
    if (session === undefined) throw signInRequired();
    const binding = checkSenderConstraint(deps, session.token, r.certThumbprint);
    return extend(r, { token: session.token, binding, session });
  };
  const checkCsrf = (r: Admin & { session: Session }): InSession => {
    const form = formOf(r);
    if (r.raw.method === 'POST' && !sameSecret(form.get('csrf') ?? undefined, r.session.csrf)) throw csrfRefused();
    return extend(r, { form });
  };
  const page = (handler: (r: InSession) => Answered | Promise<Answered>) => consoleExchange(
    pipeline<Received>()
      .then('session', withSession)
      .then('authorize', async (r) => Object.assign(r, { grants: (await authorizeAdmin(deps)(r)).grants }))
      .then('csrf', checkCsrf)
      .then('handle', handler)
      .then('audit', auditPermitted(deps)),
    deps,
  );

  const signIn = consoleExchange(pipeline<Received>()
    .then('csrf', (r) => {
      auditAs(r, 'console.signIn');
      const form = formOf(r);
      if (!sameSecret(form.get('csrf') ?? undefined, cookieOf(r, SIGN_IN_COOKIE))) throw csrfRefused();
      return extend(r, { form });
    })
    .then('authenticate', async (r) => {
      const token = await deps.verifier.verify(`Bearer ${r.form.get('token')?.trim() ?? ''}`);
      const binding = checkSenderConstraint(deps, token, r.certThumbprint);
      return extend(r, { token, binding });
    })
    // Only a caller the admin API would serve gets a session.
    .then('authorize', authorizeAdmin(deps))
    .then('handle', async (r) => {
      // A session ends with its token at the latest.
      const s = await sessions.open({ token: r.token }, r.token.exp * 1000);
      const maxAge = Math.max(0, Math.floor((s.expiresAt - r.startedAt) / 1000));
      return redirect(r, CONSOLE_PREFIX, { 'set-cookie': [cookie(SESSION_COOKIE, s.id, maxAge), cookie(SIGN_IN_COOKIE, '', 0)] });
    })
    .then('audit', auditPermitted(deps)), deps);

  const operator = contractActions(deps, operatorNamespace);
  const ofProvider = contractActions(deps, providerNamespace(deps));
  const dryRun = dryRunAction(deps);
  // The console explains in the caller's widest namespace: the operator's, else its first provider's.
  const explainIn: NamespaceOf = (r) => (r.grants.operator ? null : [...r.grants.providers].sort()[0] ?? null);
  const explain = explainAction(deps, explainIn);

  const contractPath = (summary: Record<string, unknown>): string => {
    const uid = encodeURIComponent(String(summary.uid));
    return typeof summary.provider === 'string'
      ? `${CONSOLE_PREFIX}/providers/${encodeURIComponent(summary.provider)}/contracts/${uid}`
      : `${CONSOLE_PREFIX}/contracts/${uid}`;
  };

  const contractView = (actions: typeof operator) => page(async (r) => {
    const uid = r.params.uid ?? '';
    const action = `${CONSOLE_PREFIX}${r.params.provider === undefined ? '' : `/providers/${encodeURIComponent(r.params.provider)}`}/contracts/${encodeURIComponent(uid)}`;
    if (r.raw.method === 'GET') {
      const { summary, document } = await actions.retrieve(r, uid);
      return reply(r, 200, contractPage(r.session.csrf, { summary, document: document === undefined ? undefined : JSON.stringify(document, null, 2), action }));
    }
    const before = await actions.retrieve(r, uid);
    const text = r.form.get('document') ?? '';
    const show = (summary: Record<string, unknown>, n: Notice, status = 200) => reply(r, status, contractPage(r.session.csrf, { summary, document: text, action }, n));
    let doc: unknown;
    try {
      doc = JSON.parse(text);
    } catch {
      return show(before.summary, { kind: 'error', text: 'The document is not valid JSON.' }, 400);
    }
    try {
      if (r.form.get('intent') !== 'save') {
        const checked = await actions.validate(r, () => doc, text);
        const lines = (list: unknown): string[] => (list as Array<{ line: number; column: number; message: string }>).map((p) => `line ${p.line}, column ${p.column}: ${p.message}`);
        if (checked.valid !== true) return show(before.summary, { kind: 'error', text: lines(checked.errors).join(' · ') }, 400);
        const warnings = lines(checked.warnings);
        return show(before.summary, { kind: 'ok', text: ['Valid: the document is within the profile.', ...warnings.map((w) => `Warning: ${w}`)].join(' · ') });
      }
      const { summary } = await actions.replace(r, uid, () => doc);
      return show(summary, { kind: 'ok', text: 'Saved: the contract is in force.' });
    } catch (err) {
      // The document's faults are shown next to it; a refusal of the caller is a refusal page.
      if (!(err instanceof MimtrustError) || err.status !== 400) throw err;
      return show(before.summary, { kind: 'error', text: err.message }, 400);
    }
  });

  return async (app: FastifyInstance): Promise<void> => {
    // Forms arrive URL-encoded; kept as bytes and read only after the session is checked.
    app.addContentTypeParser('application/x-www-form-urlencoded', { parseAs: 'buffer' }, (_req, body, done) => done(null, body));

    app.get(`${CONSOLE_PREFIX}/style.css`, async (_req, res) => {
      void res.headers(deps.headers).header('content-type', 'text/css; charset=utf-8').header('cache-control', 'no-cache').send(STYLE);
    });
    app.get(`${CONSOLE_PREFIX}/sign-in`, async (_req, res) => {
      const csrf = randomId();
      void res.headers(deps.headers).headers(PAGE_HEADERS).header('set-cookie', cookie(SIGN_IN_COOKIE, csrf, 600)).send(signInPage(csrf));
    });
    app.post(`${CONSOLE_PREFIX}/sign-in`, signIn);
    app.post(`${CONSOLE_PREFIX}/sign-out`, page(async (r) => {
      auditAs(r, 'console.signOut');
      await sessions.close(r.session.id);
      return redirect(r, `${CONSOLE_PREFIX}/sign-in`, { 'set-cookie': cookie(SESSION_COOKIE, '', 0) });
    }));
    app.get(CONSOLE_PREFIX, page((r) => {
      const listed = visibleContracts(deps, r).map((summary) => ({ summary, href: contractPath(summary) }));
      return reply(r, 200, listPage(r.session.csrf, listed));
    }));
    for (const [base, actions] of [[`${CONSOLE_PREFIX}/contracts/:uid`, operator], [`${CONSOLE_PREFIX}/providers/:provider/contracts/:uid`, ofProvider]] as const) {
      const handler = contractView(actions);
      app.get(base, handler);
      app.post(base, handler);
    }
    const dryRunPageOf = page(async (r) => {
      auditAs(r, 'admin.decisions.dryRun');
      const v = { ...callerValues(r.form), method: r.form.get('method') ?? 'GET', url: r.form.get('url') ?? '', now: r.form.get('now') ?? '' };
      if (r.raw.method === 'GET') return reply(r, 200, dryRunPage(r.session.csrf, { ...EMPTY_CALLER, method: 'GET', url: '', now: '' }));
      const body: Record<string, unknown> = { request: { method: v.method, url: v.url }, caller: callerJson(v) };
      if (v.now !== '') body.now = v.now;
      try {
        return reply(r, 200, dryRunPage(r.session.csrf, v, await dryRun(r, body)));
      } catch (err) {
        if (!(err instanceof MimtrustError) || err.status !== 400) throw err;
        return reply(r, 400, dryRunPage(r.session.csrf, v, undefined, { kind: 'error', text: err.message }));
      }
    });
    app.get(`${CONSOLE_PREFIX}/dry-run`, dryRunPageOf);
    app.post(`${CONSOLE_PREFIX}/dry-run`, dryRunPageOf);
    const matrix = page(async (r) => {
      const v = { ...callerValues(r.form), tenant: r.form.get('tenant')?.trim() ?? '', at: r.form.get('at')?.trim() ?? '' };
      if (r.raw.method === 'GET') {
        auditAs(r, 'admin.contracts.explain');
        return reply(r, 200, matrixPage(r.session.csrf, { ...EMPTY_CALLER, tenant: '', at: '' }));
      }
      const body: Record<string, unknown> = { caller: callerJson(v) };
      if (v.tenant !== '') body.tenant = v.tenant;
      if (v.at !== '') body.at = v.at;
      try {
        return reply(r, 200, matrixPage(r.session.csrf, v, await explain(r, body)));
      } catch (err) {
        if (!(err instanceof MimtrustError) || err.status !== 400) throw err;
        return reply(r, 400, matrixPage(r.session.csrf, v, undefined, { kind: 'error', text: err.message }));
      }
    });
    app.get(`${CONSOLE_PREFIX}/who-sees-what`, matrix);
    app.post(`${CONSOLE_PREFIX}/who-sees-what`, matrix);
  };
}
