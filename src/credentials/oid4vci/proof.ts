/**
 * The holder's key proof of a credential request (OID4VCI 1.0 Appendix F.1): a JWT of type
 * `openid4vci-proof+jwt`, signed with an allowed algorithm by the key it names, either
 * in its header as a public `jwk` (the holder is then that key's did:jwk) or by `kid` as
 * a did:key or did:jwk verification method (the holder is that DID); addressed to this
 * credential issuer (`aud`), recent (`iat`), and carrying a nonce. Whether that nonce
 * was handed out and is still open is the caller's to check: this module holds no state.
 * Every refusal is an Oid4vciError `invalid_proof`, or `invalid_nonce` without a nonce.
 */
import { compactVerify, decodeProtectedHeader, importJWK, type JWK } from 'jose';
import { from as multikeyFrom, toJwk } from '@digitalbazaar/ed25519-multikey';
import { isObject } from '../../lib/index.js';
import type { DidDocument } from '../did-resolution.js';
import { Oid4vciError } from './errors.js';
import { PROOF_ALGORITHMS, PROOF_TYP } from './metadata.js';

export interface ProofExpectation {
  /** The credential issuer identifier the proof must be addressed to. */
  audience: string;
  /** Epoch ms. */
  now: number;
  /** How old a proof may be, and how far ahead of this clock, in seconds. */
  maxAgeSec: number;
  skewSec: number;
  resolveDid: (did: string) => Promise<DidDocument>;
}

export interface CheckedProof {
  /** The DID the credential is bound to. */
  holder: string;
  nonce: string;
}

const MAX_PROOF_LENGTH = 8 * 1024;
const COMPACT_JWS = /^[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+$/;
const DID_JWK = 'did:jwk:';

const refuse = (message: string): Oid4vciError => new Oid4vciError('invalid_proof', message);

/** The public members of a key the algorithm can sign with; anything else (a private key, another curve) is refused. */
function publicKey(jwk: unknown, alg: string): JWK {
  if (!isObject(jwk) || jwk['d'] !== undefined) throw refuse('The proof\'s key is not a public key.');
  if (alg === 'EdDSA' && jwk['kty'] === 'OKP' && jwk['crv'] === 'Ed25519' && typeof jwk['x'] === 'string') return { kty: 'OKP', crv: 'Ed25519', x: jwk['x'] };
  if (alg === 'ES256' && jwk['kty'] === 'EC' && jwk['crv'] === 'P-256' && typeof jwk['x'] === 'string' && typeof jwk['y'] === 'string') {
    return { kty: 'EC', crv: 'P-256', x: jwk['x'], y: jwk['y'] };
  }
  throw refuse('The proof\'s key does not fit its algorithm.');
}

/** The did:jwk of a public key (its JSON, base64url): the holder of a proof that carries its key. */
export function didJwkOf(jwk: JWK): string {
  return `${DID_JWK}${Buffer.from(JSON.stringify(jwk)).toString('base64url')}`;
}

function jwkOfDidJwk(did: string): unknown {
  try {
    return JSON.parse(Buffer.from(did.slice(DID_JWK.length), 'base64url').toString('utf8'));
  } catch {
    throw refuse('The proof names a did:jwk that is not a key.');
  }
}

/** The key a `kid` names: a did:jwk's own key, or a verification method of a resolved did:key. */
async function keyOfKid(kid: string, alg: string, resolveDid: ProofExpectation['resolveDid']): Promise<{ holder: string; jwk: JWK }> {
  const hash = kid.indexOf('#');
  const did = hash === -1 ? kid : kid.slice(0, hash);
  if (did.startsWith(DID_JWK)) {
    if (hash !== -1 && kid.slice(hash) !== '#0') throw refuse('The proof names a did:jwk key other than #0.');
    return { holder: did, jwk: publicKey(jwkOfDidJwk(did), alg) };
  }
  if (!did.startsWith('did:key:') || hash === -1) throw refuse('The proof\'s kid is not a did:key or did:jwk verification method.');
  let doc: DidDocument;
  try {
    doc = await resolveDid(did);
  } catch {
    throw refuse('The proof\'s DID could not be resolved.');
  }
  const methods = Array.isArray(doc['verificationMethod']) ? doc['verificationMethod'] as unknown[] : [];
  const method = methods.find((m) => isObject(m) && m['id'] === kid);
  if (!isObject(method)) throw refuse('The proof\'s kid is not a key of its DID.');
  if (isObject(method['publicKeyJwk'])) return { holder: did, jwk: publicKey(method['publicKeyJwk'], alg) };
  if (typeof method['publicKeyMultibase'] !== 'string' || alg !== 'EdDSA') throw refuse('The proof\'s key does not fit its algorithm.');
  const pair = await multikeyFrom({ ...method, type: 'Multikey' });
  return { holder: did, jwk: publicKey(await toJwk({ keyPair: pair }), alg) };
}

export async function checkProof(jwt: unknown, e: ProofExpectation): Promise<CheckedProof> {
  if (typeof jwt !== 'string' || jwt.length > MAX_PROOF_LENGTH || !COMPACT_JWS.test(jwt)) throw refuse('The proof is not a compact JWT.');
  let header: ReturnType<typeof decodeProtectedHeader>;
  try {
    header = decodeProtectedHeader(jwt);
  } catch {
    throw refuse('The proof is not a compact JWT.');
  }
  if (header.typ !== PROOF_TYP) throw refuse(`The proof's type is not ${PROOF_TYP}.`);
  const alg = header.alg ?? '';
  if (!(PROOF_ALGORITHMS as readonly string[]).includes(alg)) throw refuse(`The proof is signed with an algorithm other than ${PROOF_ALGORITHMS.join(' or ')}.`);
  if (header.crit !== undefined || header.x5c !== undefined) throw refuse('The proof carries header members this issuer does not take.');
  if ((header.jwk === undefined) === (header.kid === undefined)) throw refuse('The proof names its key either by jwk or by kid, one of them.');
  const { holder, jwk } = header.jwk !== undefined
    ? (() => { const k = publicKey(header.jwk, alg); return { holder: didJwkOf(k), jwk: k }; })()
    : await keyOfKid(String(header.kid), alg, e.resolveDid);
  let payload: Record<string, unknown>;
  try {
    const verified = await compactVerify(jwt, await importJWK(jwk, alg), { algorithms: [alg] });
    payload = JSON.parse(new TextDecoder().decode(verified.payload)) as Record<string, unknown>;
  } catch {
    throw refuse('The proof\'s signature does not verify with the key it names.');
  }
  if (!isObject(payload)) throw refuse('The proof\'s claims are not a JSON object.');
  const aud = payload['aud'];
  if (!(aud === e.audience || (Array.isArray(aud) && aud.length === 1 && aud[0] === e.audience))) throw refuse('The proof is not addressed to this credential issuer.');
  const iat = payload['iat'];
  const nowSec = e.now / 1000;
  if (typeof iat !== 'number' || !Number.isFinite(iat)) throw refuse('The proof has no issue time.');
  if (iat > nowSec + e.skewSec || iat < nowSec - e.maxAgeSec) throw refuse('The proof was not made just now.');
  const nonce = payload['nonce'];
  if (typeof nonce !== 'string' || nonce === '') throw new Oid4vciError('invalid_nonce', 'The proof carries no nonce: get one from the nonce endpoint.');
  return { holder, nonce };
}
