/**
 * What the gateway adds to the issuer for organisations logging in with a presentation,
 * apart from the grant itself (vp-grant.ts, which needs oidc-provider): the interface the
 * credentials module answers it through, its public client and its challenge route.
 */
import type { FastifyInstance } from 'fastify';
import type { IssuerClient } from './clients.js';
import { VP_CHALLENGE_PATH, VP_LOGIN_CLIENT_ID, VP_TOKEN_GRANT } from './constants.js';

/** What the credentials module answers for a presentation (src/credentials/vp-login.ts). */
export interface VpLogin {
  challenge(): Promise<{ challenge: string; domain: string; expiresIn: number }>;
  login(presentation: unknown): Promise<{ organisation: string; roles: string[]; issuer: string }>;
}

/** The public client organisations log in through: this grant only, no secret (the presentation is the proof). */
export function vpLoginClient(): IssuerClient {
  return {
    clientId: VP_LOGIN_CLIENT_ID,
    displayName: 'Verifiable Presentation login',
    roles: [],
    purposes: [],
    scopes: [],
    metadata: {
      client_id: VP_LOGIN_CLIENT_ID,
      token_endpoint_auth_method: 'none',
      grant_types: [VP_TOKEN_GRANT],
      response_types: [],
      redirect_uris: [],
    },
  };
}

/** `POST /oidc/vp-challenge`: a challenge to sign a login presentation for. */
export function vpChallengeRoute(login: VpLogin) {
  return async (app: FastifyInstance): Promise<void> => {
    app.post(VP_CHALLENGE_PATH, async (_req, reply) => {
      const c = await login.challenge();
      return reply.header('cache-control', 'no-store').send({ challenge: c.challenge, domain: c.domain, expires_in: c.expiresIn });
    });
  };
}
