/**
 * The eddsa-rdfc-2022 cryptosuite with a verifier that keeps each public key it has
 * imported. The library imports the verification method's key anew for every signature
 * (decoding the multikey and making a Node key object each time): per login that cost
 * more than checking the signature. Here the decoded, validated key object is kept per
 * verification method, in a bounded memo; the checks made on a key are the library's own
 * (`Ed25519Multikey.from` on first sight), and the signature is checked with Node's
 * Ed25519 as the library does.
 */
import { createPublicKey, verify, type KeyObject } from 'node:crypto';
import { cryptosuite as eddsaRdfc2022 } from '@digitalbazaar/eddsa-rdfc-2022-cryptosuite';
import { from as multikeyFrom, toJwk } from '@digitalbazaar/ed25519-multikey';
import { BoundedMemo, canonicalJson } from '../lib/index.js';

/** Verification methods whose key is kept at most; beyond, the memo starts over. */
const KEYS_KEPT = 4096;

export interface SignatureVerifier {
  algorithm: 'Ed25519';
  id: string;
  verify: (o: { data: Uint8Array; signature: Uint8Array }) => Promise<boolean>;
}

/** Makes the cryptosuite's verifier for a verification method, keeping the imported keys. */
export function keptKeyVerifiers(limit = KEYS_KEPT): (o: { verificationMethod: Record<string, unknown> }) => Promise<SignatureVerifier> {
  const kept = new BoundedMemo<string, { id: string; key: KeyObject }>(limit);
  return async ({ verificationMethod }) => {
    // The whole method is the key: the same id with another key material is another entry.
    const memoKey = canonicalJson(verificationMethod);
    let entry = kept.get(memoKey);
    if (entry === undefined) {
      const pair = await multikeyFrom(verificationMethod);
      const { kty, crv, x } = await toJwk({ keyPair: pair });
      const key = createPublicKey({ key: { kty, crv, x }, format: 'jwk' });
      entry = { id: pair.id, key };
      kept.set(memoKey, entry);
    }
    const { id, key } = entry;
    return { algorithm: 'Ed25519', id, verify: async ({ data, signature }) => verify(null, data, key, signature) };
  };
}

/** eddsa-rdfc-2022 as the library ships it, but with the verifier above. */
export function verifyingCryptosuite(): unknown {
  return { ...(eddsaRdfc2022 as Record<string, unknown>), createVerifier: keptKeyVerifiers() };
}
