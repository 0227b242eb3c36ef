/**
 * The citizen consent API, for the citizen's own tools: a person sees, gives, withdraws and
 * exports their own consent records. The data subject is always the caller (a token of
 * one of the city's own issuers carrying the API's scope, `consent.apiScope`), never a
 * member of the body; another person's record answers as missing. Every call is audited like any other exchange, and every consent
 * event once more by the module itself.
 *
 * - `GET /consents`: the caller's records;
 * - `GET /consents/export`: all of them with their events, as one JSON document;
 * - `GET /consents/{id}`: one of them;
 * - `POST /consents`: gives one (`recipient`, `purposes`, `personalData`, `validUntil`,
 *   optionally an `@context` for the type and attribute names);
 * - `POST /consents/{id}/withdraw`: withdraws one;
 * - `GET /consents/{id}/receipt`: its signed receipt, a Verifiable Credential (when the
 *   gateway issues receipts).
 */
import type { FastifyInstance, HTTPMethods } from 'fastify';
import { MimtrustError } from '../errors/index.js';
import type { ContextResolver } from '../context/index.js';
import type { TokenVerifier } from '../auth/index.js';
import { parseDateTime } from '../contracts/index.js';
import {
  answer, auditPermitted, authenticate, bodyValidator, exchange, pipeline, readJsonBody,
  type Answered, type Authenticated, type ExchangeDeps, type Received, type Stage,
} from '../gateway/index.js';
import type { Citizen, Consents, EventOrigin } from './consents.js';
import type { ReceiptIssuer } from './store.js';
import { recordJson, type ConsentRecord } from './record.js';
import { EXPORT_DISPOSITION, exportRecords } from './export.js';
import { exportSchema, giveRouteSchema, giveSchema, listSchema, receiptSchema, retrieveSchema, withdrawSchema } from './schemas.js';
import { describedRoutes } from '../openapi/index.js';

export const CONSENTS_PREFIX = '/consents';

export interface ConsentRouteDeps {
  verifier: TokenVerifier;
  consents: Consents;
  /** Expands the type and attribute names a consent is given for (its `@context`, on top of the core). */
  resolver: ContextResolver;
  /**
   * The scope a token needs here. An app's token for the citizen carries their `sub` too,
   * but must not read their consents to others, give itself more or take any back.
   */
  apiScope: string;
  /** Issues consent receipts; undefined: the gateway issues none, and the route is not there. */
  receipts?: ReceiptIssuer;
}

interface GiveBody {
  '@context'?: unknown;
  recipient: string;
  purposes: string[];
  personalData: Array<{ type: string; attributes?: string[] }>;
  validUntil?: string;
}

const readGive = bodyValidator<GiveBody>(giveSchema, 'consent');

type Handler = Stage<Authenticated, Answered>;

function citizen(r: Authenticated): Citizen {
  if (r.token.sub === undefined) {
    throw new MimtrustError('FORBIDDEN', 'Only a person logged in with one of the city\'s own issuers has consent records.', { reason: 'consent_subject_not_citizen' });
  }
  return { issuer: r.token.issuer, sub: r.token.sub };
}

function origin(r: Received): EventOrigin {
  return { requestId: r.requestId, decisionId: r.decisionId, method: r.raw.method, path: r.raw.url.split('?')[0] ?? CONSENTS_PREFIX };
}

function auditAs(r: Received, operation: string, id?: string): void {
  r.auditAs = { operation, action: 'consent', targets: { entityIds: id === undefined ? [] : [id], types: [], attrs: [] } };
}

function show(records: readonly ConsentRecord[], now: number): Array<Record<string, unknown>> {
  return records.map((c) => recordJson(c, now));
}

function list(deps: ConsentRouteDeps): Handler {
  return async (r) => {
    auditAs(r, 'consent.list');
    return answer(r, 200, show(await deps.consents.ofCitizen(citizen(r), r.startedAt), r.startedAt));
  };
}

function exportAll(deps: ConsentRouteDeps): Handler {
  return async (r) => {
    auditAs(r, 'consent.export');
    return answer(r, 200, await exportRecords(deps.consents, citizen(r), r.startedAt), { 'content-disposition': EXPORT_DISPOSITION });
  };
}

function retrieve(deps: ConsentRouteDeps): Handler {
  return async (r) => {
    const id = r.params['id'] ?? '';
    auditAs(r, 'consent.retrieve', id);
    return answer(r, 200, recordJson(await deps.consents.own(citizen(r), id, r.startedAt), r.startedAt));
  };
}

function give(deps: ConsentRouteDeps): Handler {
  return async (r) => {
    auditAs(r, 'consent.give');
    const who = citizen(r);
    const body = readGive(readJsonBody(r));
    let validUntil: number | undefined;
    if (body.validUntil !== undefined) {
      validUntil = parseDateTime(body.validUntil);
      if (validUntil === undefined) throw new MimtrustError('BAD_REQUEST', 'validUntil is not an ISO 8601 date-time with a time zone.', { reason: 'invalid_body' });
    }
    const active = await deps.resolver.resolve(body['@context']);
    const record = await deps.consents.give(who, {
      recipient: body.recipient,
      purposes: body.purposes,
      personalData: body.personalData.map((d) => ({ type: active.expandTerm(d.type), attributes: d.attributes === undefined ? null : d.attributes.map((a) => active.expandTerm(a)) })),
      ...(validUntil === undefined ? {} : { validUntil }),
    }, r.startedAt, origin(r));
    auditAs(r, 'consent.give', record.id);
    return answer(r, 201, recordJson(record, r.startedAt), { location: `${CONSENTS_PREFIX}/${encodeURIComponent(record.id)}` });
  };
}

function withdraw(deps: ConsentRouteDeps): Handler {
  return async (r) => {
    const id = r.params['id'] ?? '';
    auditAs(r, 'consent.withdraw', id);
    return answer(r, 200, recordJson(await deps.consents.withdraw(citizen(r), id, r.startedAt, origin(r)), r.startedAt));
  };
}

function receipt(deps: ConsentRouteDeps, receipts: ReceiptIssuer): Handler {
  return async (r) => {
    const id = r.params['id'] ?? '';
    auditAs(r, 'consent.receipt', id);
    const record = await deps.consents.own(citizen(r), id, r.startedAt);
    return answer(r, 200, await receipts.receiptOf(record, r.startedAt), { 'content-disposition': 'attachment; filename="consent-receipt.json"' });
  };
}

/** The citizen consent routes as a fastify plugin, sharing the server's exchange handling. */
export function consentPlugin(deps: ConsentRouteDeps & ExchangeDeps) {
  const route = (handler: Handler) => exchange(
    pipeline<Received>()
      .then('authenticate', authenticate(deps))
      .then('authorize', (r) => {
        if (!(r.token.scope ?? []).includes(deps.apiScope)) {
          throw new MimtrustError('FORBIDDEN', `The consent API needs a token with the scope "${deps.apiScope}", which the city gives only to the citizen's own tools.`, { reason: 'consent_scope_missing', extensions: { reason: 'consent_scope_missing' } });
        }
        return r;
      })
      .then('handle', handler)
      .then('audit', auditPermitted(deps)),
    deps,
  );
  const routes: Array<[HTTPMethods, string, Handler, object]> = [
    ['GET', CONSENTS_PREFIX, list(deps), listSchema],
    ['POST', CONSENTS_PREFIX, give(deps), giveRouteSchema],
    ['GET', `${CONSENTS_PREFIX}/export`, exportAll(deps), exportSchema],
    ['GET', `${CONSENTS_PREFIX}/:id`, retrieve(deps), retrieveSchema],
    ['POST', `${CONSENTS_PREFIX}/:id/withdraw`, withdraw(deps), withdrawSchema],
  ];
  if (deps.receipts !== undefined) routes.push(['GET', `${CONSENTS_PREFIX}/:id/receipt`, receipt(deps, deps.receipts), receiptSchema]);
  return async (app: FastifyInstance): Promise<void> => {
    describedRoutes(app);
    for (const [method, url, handler, schema] of routes) app.route({ method, url, schema, handler: route(handler) });
  };
}
