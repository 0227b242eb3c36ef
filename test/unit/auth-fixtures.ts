/**
 * Real keys, signed tokens and a real JWKS endpoint on 127.0.0.1 for the token tests.
 */
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { SignJWT, exportJWK, generateKeyPair, type CryptoKey, type JWK, type JWTPayload } from 'jose';

export interface TestKey {
  kid: string;
  alg: string;
  privateKey: CryptoKey;
  publicKey: CryptoKey;
  publicJwk: JWK;
}

export async function makeKey(alg: 'RS256' | 'ES256' | 'PS256', kid: string): Promise<TestKey> {
  const { privateKey, publicKey } = await generateKeyPair(alg, { extractable: true });
  const publicJwk = { ...(await exportJWK(publicKey)), kid, alg, use: 'sig' };
  return { kid, alg, privateKey, publicKey, publicJwk };
}

export interface SignOptions {
  /** Header `typ`; null leaves it out. Default `at+jwt`. */
  typ?: string | null;
  kid?: string;
  alg?: string;
}

export function signToken(key: TestKey, claims: JWTPayload, opts: SignOptions = {}): Promise<string> {
  const header: { alg: string; kid: string; typ?: string } = { alg: opts.alg ?? key.alg, kid: opts.kid ?? key.kid };
  const typ = opts.typ === undefined ? 'at+jwt' : opts.typ;
  if (typ !== null) header.typ = typ;
  return new SignJWT(claims).setProtectedHeader(header).sign(key.privateKey);
}

/** A JWKS endpoint whose key set and health the test changes, counting every fetch. */
export class JwksServer {
  keys: JWK[] = [];
  status = 200;
  fetches = 0;
  #server: Server;

  constructor() {
    this.#server = createServer((req, res) => {
      this.fetches++;
      if (req.url !== '/jwks' || this.status !== 200) {
        res.writeHead(this.status === 200 ? 404 : this.status).end();
        return;
      }
      res.writeHead(200, { 'content-type': 'application/jwk-set+json' }).end(JSON.stringify({ keys: this.keys }));
    });
  }

  async start(): Promise<this> {
    await new Promise<void>((resolve) => this.#server.listen(0, '127.0.0.1', resolve));
    return this;
  }

  get uri(): string {
    return `http://127.0.0.1:${(this.#server.address() as AddressInfo).port}/jwks`;
  }

  close(): Promise<void> {
    this.#server.closeAllConnections();
    return new Promise((resolve, reject) => this.#server.close((err) => (err ? reject(err) : resolve())));
  }
}


/** Runs `fn` and returns what it rejected with; fails the test if it resolved. */
export async function rejection(fn: () => Promise<unknown>): Promise<unknown> {
  try {
    await fn();
  } catch (err) {
    return err;
  }
  throw new Error('expected a rejection');
}
