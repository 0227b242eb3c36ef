/**
 * Checks one DPoP proof (RFC 9449 §4.3) against the request it came with and the access
 * token it accompanies. No I/O: whether its `jti` was seen before is the caller's question
 * (dpop-replay.ts). Cheap refusals come first (size, header, key thumbprint), the signature
 * after, the claims last; every failure is an INVALID_DPOP_PROOF with a fixed description.
 */
import { constants, createHash, KeyObject, verify as verifySignature } from 'node:crypto';
import { calculateJwkThumbprint, decodeProtectedHeader, importJWK, type JWK, type ProtectedHeaderParameters } from 'jose';
import { invalidDpopProof, type DpopProofReason } from './dpop-errors.js';
import { BoundedMemo } from '../lib/index.js';

/** Compact JWS with a non-empty signature: an unsigned proof is malformed. */
const COMPACT_JWS = /^[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+$/;
/** A proof is a header with a public key and a few short claims. */
const MAX_PROOF_LENGTH = 8 * 1024;
/** `jti` is kept in the replay cache: bounded so the cache stays bounded. */
const MAX_JTI_LENGTH = 256;
/** Members that only private or symmetric JWKs carry. */
const SECRET_JWK_MEMBERS = ['d', 'p', 'q', 'dp', 'dq', 'qi', 'k', 'priv', 'oth'] as const;

export interface DpopLimits {
  /** Asymmetric JWS algorithms a proof may use. */
  algorithms: ReadonlySet<string>;
  /** How long after its `iat` a proof is accepted, in seconds. */
  maxAgeSec: number;
  /** Clock difference allowed either way, in seconds. */
  clockSkewSec: number;
}

/** What the proof must match: the request as the client sent it and the token it holds. */
export interface DpopExpectation {
  method: string;
  /** The request's URL as the client used it (scheme, host, port, path); query and fragment are ignored. */
  url: string;
  accessToken: string;
  /** RFC 7638 thumbprint the token is bound to (`cnf.jkt`). */
  jkt: string;
}

export interface CheckedProof {
  jti: string;
  /** Seconds since the epoch after which the proof can no longer be accepted: how long to remember its `jti`. */
  acceptedUntilSec: number;
}

/** base64url(SHA-256(access token)), the proof's `ath` (RFC 9449 §4.2). */
export function accessTokenHash(accessToken: string): string {
  return createHash('sha256').update(accessToken).digest('base64url');
}

/** The URL without query and fragment, normalised as the WHATWG parser does (case, default port, dot segments); undefined if unparsable. */
function comparableUrl(url: unknown): string | undefined {
  if (typeof url !== 'string') return undefined;
  const parsed = URL.parse(url);
  if (parsed === null || (parsed.protocol !== 'https:' && parsed.protocol !== 'http:')) return undefined;
  parsed.search = '';
  parsed.hash = '';
  return parsed.href;
}

function publicKeyOf(header: ProtectedHeaderParameters, fail: (r: DpopProofReason) => Error): JWK {
  const jwk = header.jwk as unknown;
  if (typeof jwk !== 'object' || jwk === null || Array.isArray(jwk)) throw fail('dpop_key_invalid');
  const key = jwk as JWK;
  if (key.kty === 'oct' || SECRET_JWK_MEMBERS.some((m) => Object.hasOwn(key, m))) throw fail('dpop_key_invalid');
  return key;
}

/** How node:crypto verifies each algorithm a proof may use (RFC 7518 §3.3–3.5, RFC 8037). */
interface Verification {
  /** The digest; null where the algorithm names its own (Ed25519). */
  hash: string | null;
  options: { dsaEncoding?: 'ieee-p1363'; padding?: number; saltLength?: number };
  /** RSA keys below 2048 bits are refused, as RFC 7518 §3.3 asks. */
  rsa: boolean;
}

const ECDSA = { dsaEncoding: 'ieee-p1363' } as const;
const pss = (saltLength: number) => ({ padding: constants.RSA_PKCS1_PSS_PADDING, saltLength });
const VERIFICATIONS: Readonly<Record<string, Verification>> = {
  ES256: { hash: 'sha256', options: ECDSA, rsa: false },
  ES384: { hash: 'sha384', options: ECDSA, rsa: false },
  ES512: { hash: 'sha512', options: ECDSA, rsa: false },
  RS256: { hash: 'sha256', options: {}, rsa: true },
  RS384: { hash: 'sha384', options: {}, rsa: true },
  RS512: { hash: 'sha512', options: {}, rsa: true },
  PS256: { hash: 'sha256', options: pss(32), rsa: true },
  PS384: { hash: 'sha384', options: pss(48), rsa: true },
  PS512: { hash: 'sha512', options: pss(64), rsa: true },
  EdDSA: { hash: null, options: {}, rsa: false },
  Ed25519: { hash: null, options: {}, rsa: false },
};

/**
 * The header's key as node:crypto verifies with it. jose imports it, which checks that the
 * key suits the algorithm (an ES256 proof with a P-384 key is refused here).
 */
async function publicKeyObject(alg: string, jwk: JWK, fail: (r: DpopProofReason) => Error): Promise<KeyObject> {
  let key;
  try {
    key = await importJWK(jwk, alg);
  } catch {
    throw fail('dpop_key_invalid');
  }
  if (key instanceof Uint8Array || key.type !== 'public') throw fail('dpop_key_invalid');
  const object = KeyObject.from(key);
  if (VERIFICATIONS[alg]?.rsa === true && (object.asymmetricKeyDetails?.modulusLength ?? 0) < 2048) throw fail('dpop_key_invalid');
  return object;
}

/**
 * The proof's claims once its signature is verified. Verified here with node:crypto, at
 * once, rather than by jose's compactVerify, which hands each signature to WebCrypto and
 * its thread pool: that took about twice the CPU time of the verification itself, on every
 * request. The header was checked before (checkedHeader) and the proof's form by
 * COMPACT_JWS: three base64url parts, so the signing input is ASCII.
 */
function verifiedPayload(proof: string, checked: CheckedHeader, fail: (r: DpopProofReason) => Error): Record<string, unknown> {
  const lastDot = proof.lastIndexOf('.');
  let valid = false;
  try {
    valid = verifySignature(checked.hash, Buffer.from(proof.slice(0, lastDot), 'ascii'), checked.key, Buffer.from(proof.slice(lastDot + 1), 'base64url'));
  } catch {
    // A signature of the wrong length or form is not a valid one.
  }
  if (!valid) throw fail('dpop_signature_invalid');
  try {
    const payload = Buffer.from(proof.slice(proof.indexOf('.') + 1, lastDot), 'base64url');
    const claims: unknown = JSON.parse(new TextDecoder('utf-8', { fatal: true }).decode(payload));
    if (typeof claims !== 'object' || claims === null || Array.isArray(claims)) throw new TypeError('not an object');
    return claims as Record<string, unknown>;
  } catch {
    throw fail('dpop_proof_malformed');
  }
}

/**
 * A protected header that passed every check of its own: its algorithm, its key's
 * thumbprint, and how to verify a signature with its key (digest, key and its options).
 */
interface CheckedHeader {
  alg: string;
  thumbprint: string;
  hash: string | null;
  key: { key: KeyObject } & Verification['options'];
}

/**
 * Checked headers by their encoded form. A client signs every proof with one key, so its
 * proofs share one protected header (the claims that change, `jti` and `iat`, are in the
 * payload): decoding it, hashing the key's thumbprint and importing the key took most of a
 * proof's check, each a WebCrypto call. The same bytes always decode to the same header,
 * so only what depends on the request or the settings is checked again: the algorithm
 * against those allowed, the thumbprint against the token's, and the signature.
 */
const CHECKED_HEADERS = new BoundedMemo<string, CheckedHeader>(1024);
/** Headers longer than this are checked each time, so the memo holds at most about 1 MB of them. */
const MAX_REMEMBERED_HEADER = 1024;

async function checkedHeader(encoded: string, proof: string, expected: DpopExpectation, limits: DpopLimits, fail: (r: DpopProofReason) => Error): Promise<CheckedHeader> {
  let header: ProtectedHeaderParameters;
  try {
    header = decodeProtectedHeader(proof);
  } catch {
    throw fail('dpop_proof_malformed');
  }
  if (typeof header.typ !== 'string' || header.typ.toLowerCase() !== 'dpop+jwt') throw fail('dpop_proof_type_refused');
  if (typeof header.alg !== 'string' || !limits.algorithms.has(header.alg)) throw fail('dpop_algorithm_refused');
  // No header extension is understood here (RFC 7515 §4.1.11).
  if (header.crit !== undefined) throw fail('dpop_proof_malformed');
  const jwk = publicKeyOf(header, fail);
  let thumbprint: string;
  try {
    thumbprint = await calculateJwkThumbprint(jwk, 'sha256');
  } catch {
    throw fail('dpop_key_invalid');
  }
  if (thumbprint !== expected.jkt) throw fail('dpop_key_mismatch');
  const verification = VERIFICATIONS[header.alg];
  // Every algorithm the settings accept has its entry; one without is never verified.
  if (verification === undefined) throw fail('dpop_algorithm_refused');
  const key = await publicKeyObject(header.alg, jwk, fail);
  const checked: CheckedHeader = { alg: header.alg, thumbprint, hash: verification.hash, key: { key, ...verification.options } };
  if (encoded.length <= MAX_REMEMBERED_HEADER) CHECKED_HEADERS.set(encoded, checked);
  return checked;
}

/**
 * Resolves with the proof's `jti` and how long it stays acceptable, or rejects with
 * INVALID_DPOP_PROOF. `nowSec` is seconds since the epoch.
 */
export async function checkDpopProof(proof: string, expected: DpopExpectation, limits: DpopLimits, nowSec: number): Promise<CheckedProof> {
  const fail = (reason: DpopProofReason): Error => invalidDpopProof(reason, limits.algorithms);
  if (proof.length > MAX_PROOF_LENGTH || !COMPACT_JWS.test(proof)) throw fail('dpop_proof_malformed');
  const encoded = proof.slice(0, proof.indexOf('.'));
  let checked = CHECKED_HEADERS.get(encoded);
  if (checked === undefined) checked = await checkedHeader(encoded, proof, expected, limits, fail);
  else {
    // Checked under other settings, or bound to another token's key: asked again here.
    if (!limits.algorithms.has(checked.alg)) throw fail('dpop_algorithm_refused');
    if (checked.thumbprint !== expected.jkt) throw fail('dpop_key_mismatch');
  }
  const claims = verifiedPayload(proof, checked, fail);
  const { jti, htm, htu, iat, ath } = claims;
  if (typeof jti !== 'string' || jti === '' || jti.length > MAX_JTI_LENGTH) throw fail('dpop_claim_invalid');
  if (typeof htm !== 'string' || typeof htu !== 'string' || typeof iat !== 'number' || !Number.isFinite(iat)) throw fail('dpop_claim_invalid');
  if (htm !== expected.method) throw fail('dpop_method_mismatch');
  const want = comparableUrl(expected.url);
  if (want === undefined || comparableUrl(htu) !== want) throw fail('dpop_url_mismatch');
  if (iat > nowSec + limits.clockSkewSec) throw fail('dpop_proof_future');
  if (iat < nowSec - limits.maxAgeSec - limits.clockSkewSec) throw fail('dpop_proof_stale');
  if (typeof ath !== 'string' || ath !== accessTokenHash(expected.accessToken)) throw fail('dpop_ath_mismatch');
  return { jti, acceptedUntilSec: Math.ceil(iat + limits.maxAgeSec + limits.clockSkewSec) };
}
