/**
 * DPoP proofs for the benchmark's DPoP mode: every request needs a fresh one (its own
 * `jti`, a recent `iat`), so a pool is signed before each measured run, outside the timed
 * window, and handed out one per request. Signed with node:crypto synchronously, because
 * autocannon builds each request synchronously; a pool that runs dry signs on demand and
 * says how often it had to.
 */
import { createHash, generateKeyPairSync, randomUUID, sign } from 'node:crypto';
import { calculateJwkThumbprint } from 'jose';

const b64 = (x) => Buffer.from(typeof x === 'string' ? x : JSON.stringify(x)).toString('base64url');

/** A P-256 DPoP key and its RFC 7638 thumbprint, for the token's `cnf.jkt`. */
export async function dpopKey() {
  const { privateKey, publicKey } = generateKeyPairSync('ec', { namedCurve: 'P-256' });
  const { kty, crv, x, y } = publicKey.export({ format: 'jwk' });
  const jwk = { kty, crv, x, y };
  return { privateKey, jwk, jkt: await calculateJwkThumbprint(jwk, 'sha256') };
}

/**
 * @param {{ privateKey: import('node:crypto').KeyObject, jwk: object }} key
 * @param {{ htm: string, htu: string, accessToken: string, size: number }} o
 */
export function proofPool(key, { htm, htu, accessToken, size }) {
  const header = b64({ alg: 'ES256', typ: 'dpop+jwt', jwk: key.jwk });
  const ath = createHash('sha256').update(accessToken).digest('base64url');
  const one = () => {
    const input = `${header}.${b64({ htm, htu, ath, jti: randomUUID(), iat: Math.floor(Date.now() / 1000) })}`;
    return `${input}.${sign('sha256', Buffer.from(input), { key: key.privateKey, dsaEncoding: 'ieee-p1363' }).toString('base64url')}`;
  };
  const pool = Array.from({ length: size }, one);
  let next = 0;
  let onDemand = 0;
  return {
    next() {
      if (next < pool.length) return pool[next++];
      onDemand++;
      return one();
    },
    get onDemand() {
      return onDemand;
    },
  };
}
