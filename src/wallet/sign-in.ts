/**
 * Signing a citizen in to the wallet through the city's own issuer: the authorization code
 * flow with PKCE (S256), a state bound to the browser that started it and a nonce bound to
 * the ID token, then the ID token checked against the issuer's own keys. Pure but for the
 * signature check; the code is redeemed by the caller.
 */
import { createHash, createHmac } from 'node:crypto';
import { createLocalJWKSet, jwtVerify, type JWK } from 'jose';
import { MimtrustError } from '../errors/index.js';
import type { FirstPartyClient } from '../issuer/index.js';
import { randomId } from '../web/index.js';

export const WALLET_PREFIX = '/wallet';
export const WALLET_CLIENT_ID = 'mimtrust-wallet';

/** What a sign-in keeps between sending the browser to the issuer and its coming back. */
export interface PendingSignIn {
  state: string;
  nonce: string;
  /** The PKCE code verifier; only its S256 hash leaves the server before the code is redeemed. */
  verifier: string;
}

export function pendingSignIn(): PendingSignIn {
  return { state: randomId(), nonce: randomId(), verifier: randomId() };
}

/**
 * The wallet as a client of the issuer at `issuer` (its identifier, the gateway's public
 * URL under /oidc): its redirect URI is on the same origin, its secret derived from the
 * issuer's own secret, so every instance sharing the keys agrees on it without storing one.
 */
export function walletClient(issuer: string, issuerSecret: string): FirstPartyClient {
  return {
    clientId: WALLET_CLIENT_ID,
    name: 'wallet',
    redirectUri: new URL(`${WALLET_PREFIX}/callback`, issuer).href,
    secret: createHmac('sha256', issuerSecret).update(`first-party client ${WALLET_CLIENT_ID}`).digest('base64url'),
  };
}

/**
 * Where the browser is sent to sign in. `prompt=login` asks for the password every time:
 * signing out of the wallet then means the next person at the same browser cannot walk
 * back in on the issuer's session.
 */
export function authorizeLocation(authorizeEndpoint: string, client: FirstPartyClient, p: PendingSignIn, lang: string): string {
  const q = new URLSearchParams({
    client_id: client.clientId,
    response_type: 'code',
    redirect_uri: client.redirectUri,
    scope: 'openid',
    state: p.state,
    nonce: p.nonce,
    code_challenge: createHash('sha256').update(p.verifier).digest('base64url'),
    code_challenge_method: 'S256',
    prompt: 'login',
    ui_locales: lang,
  });
  return `${authorizeEndpoint}?${q.toString()}`;
}

/** The token request redeeming the code: its form body and the client's Basic credentials. */
export function tokenRequest(client: FirstPartyClient, code: string, p: PendingSignIn): { body: string; authorization: string } {
  const body = new URLSearchParams({ grant_type: 'authorization_code', code, redirect_uri: client.redirectUri, code_verifier: p.verifier }).toString();
  // RFC 6749 2.3.1: id and secret are form-encoded before they are joined.
  const basic = `${encodeURIComponent(client.clientId)}:${encodeURIComponent(client.secret)}`;
  return { body, authorization: `Basic ${Buffer.from(basic).toString('base64')}` };
}

export const signInFailed = (detail: string): MimtrustError => new MimtrustError('UNAUTHENTICATED', detail, { reason: 'wallet_sign_in_failed' });

export interface SignedIn {
  issuer: string;
  sub: string;
  /** Epoch seconds: the ID token's expiry. */
  exp: number;
}

/** The citizen an ID token names, once it is the issuer's, for the wallet, and for this sign-in (nonce). */
export async function citizenOf(idToken: unknown, o: { issuer: string; clientId: string; keys: readonly JWK[]; nonce: string }): Promise<SignedIn> {
  if (typeof idToken !== 'string') throw signInFailed('The issuer answered without an ID token.');
  let payload;
  try {
    ({ payload } = await jwtVerify(idToken, createLocalJWKSet({ keys: [...o.keys] }), { issuer: o.issuer, audience: o.clientId, algorithms: ['ES256'] }));
  } catch {
    throw signInFailed('The ID token could not be verified.');
  }
  if (typeof payload.nonce !== 'string' || payload.nonce !== o.nonce) throw signInFailed('The ID token belongs to another sign-in.');
  if (typeof payload.sub !== 'string' || payload.sub === '' || typeof payload.exp !== 'number') throw signInFailed('The ID token names nobody.');
  return { issuer: o.issuer, sub: payload.sub, exp: payload.exp };
}
