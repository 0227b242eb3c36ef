/**
 * The credential routes, after the W3C VC-API:
 *
 * - `GET /.well-known/did.json`: the city's did:web document;
 * - `GET /credentials/contexts/consent-receipt/v1`: the receipt subject's JSON-LD context;
 * - `GET /credentials/status/{list}`: a status list, a signed BitstringStatusListCredential;
 * - `POST /credentials/verify` and `POST /presentations/verify`: verification for anyone;
 * - `POST /credentials/issue`: a credential signed by the city, with its own entry on the
 *   city's status lists, and `POST /credentials/status`: its revocation; both for the
 *   operator's administration (the admin API's authentication and `manageContracts` grant).
 *
 * The public routes read no one's data and are not recorded in the audit log (their
 * refusals are, like every refusal); issuing and revoking are. Verifying is limited per
 * client address (`credentials.verifyRateLimit`).
 */
import { randomUUID } from 'node:crypto';
import type { FastifyInstance, FastifyReply, FastifyRequest, HTTPMethods } from 'fastify';
import { MimtrustError, toProblem } from '../errors/index.js';
import { AttemptLimiter, isObject, type AttemptLimit } from '../lib/index.js';
import { authorizeAdmin, type Admin } from '../admin/index.js';
import type { RoleChecker } from '../policy/index.js';
import type { Providers } from '../contracts/index.js';
import type { TokenVerifier } from '../auth/index.js';
import {
  answer, auditPermitted, authenticate, bodyValidator, exchange, pipeline, readJsonBody,
  type Answered, type ExchangeDeps, type Received, type Stage,
} from '../gateway/index.js';
import { describedRoutes } from '../openapi/index.js';
import type { Credentials } from './credentials.js';
import { CONSENT_CONTEXT_DOCUMENT, CONSENT_CONTEXT_PATH } from './contexts.js';
import { CredentialError } from './errors.js';
import { STATUS_PATH } from './status-lists.js';
import {
  didDocumentSchema, issueBody, issueSchema, statusListSchema, statusUpdateBody, statusUpdateSchema, verifyCredentialBody, verifyCredentialSchema, verifyPresentationBody, verifyPresentationSchema,
} from './schemas.js';

export const DID_DOCUMENT_PATH = '/.well-known/did.json';

export interface CredentialRouteDeps {
  credentials: Credentials;
  /** Verifications one address may ask for in a window (both public routes together); null: no limit. */
  verifyLimit: AttemptLimit | null;
  verifier: TokenVerifier;
  roles: () => RoleChecker;
  providers: Providers;
}

interface VerifyCredentialBody { verifiableCredential: Record<string, unknown> }
interface VerifyPresentationBody { verifiablePresentation: Record<string, unknown>; options: { challenge: string; domain?: string } }
interface IssueBody { credential: Record<string, unknown> }
interface StatusUpdateBody { credentialId: string; credentialStatus: Array<{ type: 'BitstringStatusListCredential'; status: 'revoked' | 'active' }> }

const readVerifyCredential = bodyValidator<VerifyCredentialBody>(verifyCredentialBody, 'verification request');
const readVerifyPresentation = bodyValidator<VerifyPresentationBody>(verifyPresentationBody, 'verification request');
const readIssue = bodyValidator<IssueBody>(issueBody, 'issue request');
const readStatusUpdate = bodyValidator<StatusUpdateBody>(statusUpdateBody, 'status update');

/** A CredentialError of the gateway itself (not the caller's input) as the refusal it is. */
function refusalOf(err: unknown): unknown {
  if (err instanceof CredentialError && err.reason === 'credentials_not_ready') return err.toMimtrustError('SERVICE_UNAVAILABLE');
  return err;
}

function guarded<I extends Received>(handler: Stage<I, Answered>): Stage<I, Answered> {
  return async (r) => {
    try {
      return await handler(r);
    } catch (err) {
      throw refusalOf(err);
    }
  };
}

/**
 * Verification is costly and open to anyone: one address may ask for so many within a
 * window (every request counts, whatever its answer), then waits with 429. The limiter
 * holds a bounded number of addresses, so a flood of them cannot grow it.
 */
function throttled(limit: AttemptLimit | null): Stage<Received, Received> {
  const asked = limit === null ? undefined : new AttemptLimiter(limit);
  return (r) => {
    if (asked === undefined) return r;
    const wait = asked.waitMs(r.clientIp, r.startedAt);
    if (wait > 0) {
      throw new MimtrustError('TOO_MANY_REQUESTS', 'Too many verifications were asked for from this address; try again later.', {
        reason: 'verification_throttled', extensions: { reason: 'verification_throttled' }, headers: { 'retry-after': String(Math.ceil(wait / 1000)) },
      });
    }
    asked.fail(r.clientIp, r.startedAt);
    return r;
  };
}

function verifyCredential(deps: CredentialRouteDeps): Stage<Received, Answered> {
  return guarded(async (r) => {
    const body = readVerifyCredential(readJsonBody(r));
    return answer(r, 200, await deps.credentials.verifyCredential(body.verifiableCredential));
  });
}

function verifyPresentation(deps: CredentialRouteDeps): Stage<Received, Answered> {
  return guarded(async (r) => {
    const body = readVerifyPresentation(readJsonBody(r));
    return answer(r, 200, await deps.credentials.verifyPresentation(body.verifiablePresentation, body.options));
  });
}

function operatorOnly(r: Admin, what: string): void {
  if (!r.grants.operator) {
    throw new MimtrustError('FORBIDDEN', `Only the operator's administration (manageContracts) may ${what} credentials.`, { reason: 'operator_only', extensions: { reason: 'operator_only' } });
  }
}

function badRequest(reason: string, message: string): MimtrustError {
  return new MimtrustError('BAD_REQUEST', message, { reason, extensions: { reason } });
}

/**
 * Every credential issued here gets a revocation entry under its id (a `urn:uuid:` one is
 * given first when it has none): the status is the gateway's to set, so a credential
 * naming one of its own is refused rather than silently replaced.
 */
function issue(deps: CredentialRouteDeps): Stage<Admin, Answered> {
  return guarded(async (r) => {
    r.auditAs = { operation: 'credential.issue', action: 'manageContracts', targets: { entityIds: [], types: [], attrs: [] } };
    operatorOnly(r, 'issue');
    const { credential } = readIssue(readJsonBody(r));
    if (credential['credentialStatus'] !== undefined) throw badRequest('credential_status_given', 'A credential issued here gets its status entry from the gateway and may not name one.');
    const did = deps.credentials.did;
    const issuer = isObject(credential['issuer']) ? credential['issuer']['id'] : credential['issuer'];
    if (issuer !== undefined && issuer !== did) throw badRequest('issuer_not_city', 'The issuer of a credential signed here is the city\'s DID.');
    const id = typeof credential['id'] === 'string' ? credential['id'] : `urn:uuid:${randomUUID()}`;
    r.auditAs.targets.entityIds.push(id);
    const credentialStatus = await deps.credentials.statusLists.issuedEntry(id, r.startedAt);
    const unsigned = { ...credential, id, issuer: credential['issuer'] ?? did, validFrom: credential['validFrom'] ?? new Date(r.startedAt).toISOString(), credentialStatus };
    let signed: Record<string, unknown>;
    try {
      signed = await deps.credentials.sign(unsigned);
    } catch (err) {
      if (err instanceof CredentialError && err.reason !== 'credentials_not_ready') throw err.toMimtrustError();
      if (err instanceof CredentialError) throw err;
      // The libraries' messages quote the input: a fixed text instead.
      throw new MimtrustError('BAD_REQUEST', 'The credential cannot be signed: a term without a definition in its contexts, a malformed date or member.', { reason: 'credential_invalid', extensions: { reason: 'credential_invalid' }, cause: err });
    }
    return answer(r, 201, { verifiableCredential: signed });
  });
}

/**
 * The VC-API's status update, for revocation only: `revoked` sets the credential's bit
 * (again: nothing changes); `active` holds only for a credential not revoked, since a
 * bit once set stays set. Only credentials issued through `POST /credentials/issue` are
 * found here; a consent receipt is revoked by withdrawing its consent.
 */
function updateStatus(deps: CredentialRouteDeps): Stage<Admin, Answered> {
  return guarded(async (r) => {
    r.auditAs = { operation: 'credential.revoke', action: 'manageContracts', targets: { entityIds: [], types: [], attrs: [] } };
    operatorOnly(r, 'revoke');
    const { credentialId, credentialStatus } = readStatusUpdate(readJsonBody(r));
    r.auditAs.targets.entityIds.push(credentialId);
    const wanted = (credentialStatus[0] as StatusUpdateBody['credentialStatus'][number]).status;
    const lists = deps.credentials.statusLists;
    const unknown = () => new MimtrustError('NOT_FOUND', 'No credential issued here has that id.', { reason: 'credential_unknown', extensions: { reason: 'credential_unknown' } });
    if (wanted === 'active') {
      const state = await lists.issuedState(credentialId);
      if (state === undefined) throw unknown();
      if (state.revoked) {
        throw new MimtrustError('CONFLICT', 'The credential is revoked, and a revocation is final: its status bit, once set, stays set.', { reason: 'revocation_final', extensions: { reason: 'revocation_final' } });
      }
      return answer(r, 200, { credentialStatus: [{ ...state.entry, status: 'active' }] });
    }
    const entry = await lists.revokeIssued(credentialId, r.startedAt);
    if (entry === undefined) throw unknown();
    return answer(r, 200, { credentialStatus: [{ ...entry, status: 'revoked' }] });
  });
}

/** A public JSON document; an error is a ProblemDetails answer, as everywhere. */
function document(deps: { headers: Record<string, string> }, produce: (req: FastifyRequest) => Promise<unknown>, type = 'application/json', cache = 'max-age=60') {
  return async (req: FastifyRequest, reply: FastifyReply): Promise<FastifyReply> => {
    let body: unknown;
    try {
      body = await produce(req);
    } catch (err) {
      const e = refusalOf(err);
      const problem = e instanceof MimtrustError ? e : new MimtrustError('INTERNAL', 'The document could not be made.', { reason: 'internal_error', cause: err });
      return reply.code(problem.status).headers(deps.headers).header('content-type', 'application/json').send(JSON.stringify(toProblem(problem, { requestId: req.id })));
    }
    return reply.headers(deps.headers).header('cache-control', cache).header('content-type', type).send(JSON.stringify(body));
  };
}

function notFound(): MimtrustError {
  return new MimtrustError('NOT_FOUND', 'No such resource.', { reason: 'unknown_path' });
}

/** The credential routes as a fastify plugin, sharing the server's exchange handling. */
export function credentialsPlugin(deps: CredentialRouteDeps & ExchangeDeps) {
  const throttle = throttled(deps.verifyLimit);
  const open = (handler: Stage<Received, Answered>) => exchange(pipeline<Received>().then('throttle', throttle).then('handle', handler), deps);
  const admin = (handler: Stage<Admin, Answered>) => exchange(
    pipeline<Received>()
      .then('authenticate', authenticate(deps))
      .then('authorize', authorizeAdmin({ roles: deps.roles, providers: deps.providers }))
      .then('handle', handler)
      .then('audit', auditPermitted(deps)),
    deps,
  );
  const routes: Array<[HTTPMethods, string, ReturnType<typeof exchange>, object]> = [
    ['POST', '/credentials/verify', open(verifyCredential(deps)), verifyCredentialSchema],
    ['POST', '/presentations/verify', open(verifyPresentation(deps)), verifyPresentationSchema],
    ['POST', '/credentials/issue', admin(issue(deps)), issueSchema],
    ['POST', STATUS_PATH, admin(updateStatus(deps)), statusUpdateSchema],
  ];
  return async (app: FastifyInstance): Promise<void> => {
    describedRoutes(app);
    for (const [method, url, handler, schema] of routes) app.route({ method, url, schema, handler });
    app.get(DID_DOCUMENT_PATH, { schema: didDocumentSchema }, document(deps, async () => deps.credentials.didDocument() ?? Promise.reject(notFound())));
    app.get(`${STATUS_PATH}/:list`, { schema: statusListSchema }, document(deps, async (req) => {
      const list = (req.params as { list: string }).list;
      return (await deps.credentials.statusLists.listCredential(list)) ?? Promise.reject(notFound());
    }, 'application/json', 'max-age=30'));
    // A context never changes under its URL: cached for a day.
    app.get(CONSENT_CONTEXT_PATH, document(deps, async () => CONSENT_CONTEXT_DOCUMENT, 'application/ld+json', 'max-age=86400'));
  };
}
