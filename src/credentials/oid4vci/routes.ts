/**
 * The credential issuer's routes (OID4VCI 1.0):
 *
 * - `GET /.well-known/openid-credential-issuer`: the metadata;
 * - `POST /oid4vci/nonce`: a c_nonce (public, not on the audit log, like the presentation
 *   login's challenges);
 * - `POST /oid4vci/credential`: the receipt, for an access token the issuer made by the
 *   pre-authorized code grant (its own audience, so no other token of the issuer opens
 *   it), Bearer or DPoP-bound; issued receipts and refusals are on the audit log.
 *
 * Refusals are the project's ProblemDetails with the protocol's `error` and
 * `error_description` members, which is what a wallet reads.
 */
import type { FastifyInstance, FastifyReply } from 'fastify';
import type { TokenVerifier } from '../../auth/index.js';
import { MimtrustError, toProblem } from '../../errors/index.js';
import {
  answer, auditPermitted, authenticate, exchange, pipeline, readJsonBody, type Answered, type Authenticated, type ExchangeDeps, type Received,
} from '../../gateway/index.js';
import { describedRoutes } from '../../openapi/index.js';
import { CredentialError } from '../errors.js';
import { Oid4vciError } from './errors.js';
import type { CredentialOffers } from './issuance.js';
import { CREDENTIAL_PATH, METADATA_PATH, NONCE_PATH } from './metadata.js';
import { credentialSchema, metadataSchema, nonceSchema } from './schemas.js';

export interface Oid4vciRouteDeps extends ExchangeDeps {
  offers: CredentialOffers;
  /** Accepts the issuer's tokens for the credential endpoint's audience only. */
  verifier: TokenVerifier;
  /** The client the pre-authorized code grant issues its tokens to. */
  clientId: string;
}

/** A refused token, as the protocol names it, keeping the challenge header. */
function invalidToken(err: unknown): unknown {
  if (!(err instanceof MimtrustError) || !['UNAUTHENTICATED', 'INVALID_TOKEN', 'INVALID_DPOP_PROOF'].includes(err.code)) return err;
  return new MimtrustError(err.code, err.message, {
    reason: err.reason, headers: err.headers, cause: err, extensions: { ...err.extensions, error: err.code === 'INVALID_DPOP_PROOF' ? 'invalid_dpop_proof' : 'invalid_token', error_description: err.message },
  });
}

function protocolError(err: unknown): unknown {
  if (err instanceof Oid4vciError) return err.toMimtrustError();
  if (err instanceof CredentialError && err.reason === 'credentials_not_ready') return err.toMimtrustError('SERVICE_UNAVAILABLE');
  return err;
}

export function oid4vciPlugin(deps: Oid4vciRouteDeps) {
  const authenticated = authenticate({ verifier: deps.verifier });
  const credential = exchange(pipeline<Received>()
    .then('authenticate', async (r) => {
      r.auditAs = { operation: 'credential.oid4vci', action: 'issue', targets: { entityIds: [], types: [], attrs: [] } };
      try {
        return await authenticated(r);
      } catch (err) {
        throw invalidToken(err);
      }
    })
    .then('handle', async (r: Authenticated): Promise<Answered> => {
      try {
        const consents = r.token.consents ?? [];
        const consent = consents[0];
        if (r.token.clientId !== deps.clientId || consents.length !== 1 || consent === undefined || r.token.sub === undefined) {
          throw new Oid4vciError('invalid_token', 'The access token was not issued for a credential offer.');
        }
        r.auditAs?.targets.entityIds.push(consent);
        return answer(r, 200, await deps.offers.credential(r.token.sub, consent, readJsonBody(r)), { 'cache-control': 'no-store' });
      } catch (err) {
        throw invalidToken(protocolError(err));
      }
    })
    .then('audit', auditPermitted(deps)), deps);

  return async (app: FastifyInstance): Promise<void> => {
    describedRoutes(app);
    app.get(METADATA_PATH, { schema: metadataSchema }, async (req, reply) => {
      let body: Record<string, unknown>;
      try {
        body = deps.offers.metadata();
      } catch (err) {
        const e = protocolError(err);
        const problem = e instanceof MimtrustError ? e : new MimtrustError('INTERNAL', 'The document could not be made.', { reason: 'internal_error', cause: err });
        return (reply as FastifyReply).code(problem.status).headers(deps.headers).header('content-type', 'application/problem+json').send(JSON.stringify(toProblem(problem, { requestId: req.id })));
      }
      return reply.headers(deps.headers).header('cache-control', 'max-age=60').header('content-type', 'application/json').send(JSON.stringify(body));
    });
    // A store that cannot be reached or is full answers 503 through the gateway's error handler.
    app.post(NONCE_PATH, { schema: nonceSchema }, async (_req, reply) => reply.headers(deps.headers).header('cache-control', 'no-store')
      .header('content-type', 'application/json').send(JSON.stringify(await deps.offers.nonce())));
    app.post(CREDENTIAL_PATH, { schema: credentialSchema }, credential);
  };
}
