/**
 * What tests of the city's own issuer share: client keys, the issuer's configuration for a
 * harness, signed client assertions (private_key_jwt) and form posts to its endpoints.
 */
import { createHash, randomBytes, randomUUID } from 'node:crypto';
import { SignJWT, exportJWK, generateKeyPair, type CryptoKey, type JWK } from 'jose';
import type { Harness } from './harness.js';

export const OIDC_ISSUER = 'https://localhost/oidc';

export interface ClientKey {
  privateKey: CryptoKey;
  publicJwk: JWK;
}

export async function clientKey(): Promise<ClientKey> {
  const { privateKey, publicKey } = await generateKeyPair('ES256', { extractable: true });
  return { privateKey, publicJwk: { ...(await exportJWK(publicKey)), kid: randomUUID(), alg: 'ES256', use: 'sig' } };
}

/** A private_key_jwt client assertion (RFC 7523) for the issuer. */
export async function clientAssertion(clientId: string, key: ClientKey, aud = OIDC_ISSUER): Promise<string> {
  return new SignJWT({})
    .setProtectedHeader({ alg: 'ES256', kid: key.publicJwk.kid })
    .setIssuer(clientId)
    .setSubject(clientId)
    .setAudience(aud)
    .setJti(randomUUID())
    .setIssuedAt()
    .setExpirationTime('60s')
    .sign(key.privateKey);
}

export async function assertionParams(clientId: string, key: ClientKey, aud = OIDC_ISSUER): Promise<Record<string, string>> {
  return {
    client_id: clientId,
    client_assertion_type: 'urn:ietf:params:oauth:client-assertion-type:jwt-bearer',
    client_assertion: await clientAssertion(clientId, key, aud),
  };
}

/** Whatever answers requests: a harness, or the processes of a gateway started from the command line. */
export type Gateway = Pick<Harness, 'call'>;

/** POSTs a form to the gateway (the issuer's endpoints take application/x-www-form-urlencoded). */
export function postForm(h: Gateway, path: string, form: Record<string, string>, headers: Record<string, string> = {}) {
  return h.call('POST', path, {
    rawBody: new URLSearchParams(form).toString(),
    headers: { 'content-type': 'application/x-www-form-urlencoded', ...headers },
  });
}

/** A browser at the issuer and the wallet: cookies kept by name (paths ignored: each is for /oidc or /), redirects not followed. */
export class IssuerBrowser {
  private cookies = new Map<string, string>();
  constructor(private h: Gateway, private readonly lang = 'en') {}

  /** Goes on at another gateway instance with the same cookies, as a load balancer may send it. */
  at(h: Gateway): this {
    this.h = h;
    return this;
  }

  private keep(res: { headers: Record<string, string | string[] | undefined> }): void {
    const set = res.headers['set-cookie'];
    for (const c of Array.isArray(set) ? set : set ? [set] : []) {
      const [pair = ''] = c.split(';');
      const eq = pair.indexOf('=');
      const value = pair.slice(eq + 1);
      if (/expires=Thu, 01 Jan 1970/i.test(c) || value === '') this.cookies.delete(pair.slice(0, eq));
      else this.cookies.set(pair.slice(0, eq), value);
    }
  }

  private headers(): Record<string, string> {
    return { cookie: [...this.cookies].map(([k, v]) => `${k}=${v}`).join('; '), 'accept-language': this.lang };
  }

  async get(path: string) {
    const res = await this.h.call('GET', path, { headers: this.headers() });
    this.keep(res);
    return res;
  }

  async post(path: string, form: URLSearchParams) {
    const res = await this.h.call('POST', path, { rawBody: form.toString(), headers: { ...this.headers(), 'content-type': 'application/x-www-form-urlencoded' } });
    this.keep(res);
    return res;
  }
}

export function pkce(): { verifier: string; challenge: string } {
  const verifier = randomBytes(32).toString('base64url');
  return { verifier, challenge: createHash('sha256').update(verifier).digest('base64url') };
}

export function location(res: { headers: Record<string, string | string[] | undefined> }): string {
  return String(res.headers.location);
}

export function pathOf(url: string): string {
  const u = new URL(url, 'https://localhost');
  return u.pathname + u.search;
}

export const csrfOf = (html: string): string => /name="csrf" value="([^"]+)"/.exec(html)?.[1] ?? '';
export const actionOf = (html: string): string => /<form method="post" action="([^"]+)"/.exec(html)?.[1] ?? '';
