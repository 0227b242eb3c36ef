/**
 * The city as an issuer of credentials: its DID, the DID document listing every key of
 * the `vc-assertion` key set as an Ed25519 Multikey (assertionMethod), and the suite that
 * signs with the newest key. With did:web the document lists the old keys too, so what
 * they signed stays verifiable after a rotation; with did:key each key is a DID of its
 * own, self-describing, and the newest is the issuer.
 */
import { DataIntegrityProof } from '@digitalbazaar/data-integrity';
import { cryptosuite } from '@digitalbazaar/eddsa-rdfc-2022-cryptosuite';
import { createPrivateKey, sign } from 'node:crypto';
import { from as multikeyFrom, toJwk } from '@digitalbazaar/ed25519-multikey';
import type { Ed25519Key } from '../keys/index.js';
import { DID_V1_CONTEXT, MULTIKEY_CONTEXT } from './contexts.js';
import type { DidDocument } from './did-resolution.js';

export interface CityIdentity {
  did: string;
  /** The verification method that signs from now on. */
  signingMethod: string;
  /** The did:web documents answered locally (empty for did:key). */
  documents: ReadonlyMap<string, DidDocument>;
  /** A Data Integrity eddsa-rdfc-2022 suite signing with the newest key; proofs dated `date` (default: now). */
  signingSuite(date?: string): DataIntegrityProof;
}

function method(did: string, key: Ed25519Key) {
  return { id: `${did}#${key.publicKeyMultibase}`, type: 'Multikey', controller: did, publicKeyMultibase: key.publicKeyMultibase };
}

/** The DID document of a did:web whose keys are `keys` (newest first). */
export function didWebDocument(did: string, keys: readonly Ed25519Key[]): DidDocument {
  const methods = keys.map((k) => method(did, k));
  return {
    '@context': [DID_V1_CONTEXT, MULTIKEY_CONTEXT],
    id: did,
    verificationMethod: methods,
    assertionMethod: methods.map((m) => m.id),
  };
}

export async function cityIdentity(keys: readonly Ed25519Key[], choice: { method: 'web'; did: string } | { method: 'key' }): Promise<CityIdentity> {
  const newest = keys[0];
  if (newest === undefined) throw new Error('The credential key set is empty.');
  const did = choice.method === 'web' ? choice.did : `did:key:${newest.publicKeyMultibase}`;
  const signing = method(did, newest);
  const pair = await multikeyFrom({ ...signing, secretKeyMultibase: newest.secretKeyMultibase });
  // The library's signer imports the key on every signature; imported once here instead.
  const jwk = await toJwk({ keyPair: pair, secretKey: true });
  // The library keeps the 64-byte secret key (seed and public key); a JWK holds the seed.
  const seed = Buffer.from(jwk.d ?? '', 'base64url').subarray(0, 32).toString('base64url');
  const privateKey = createPrivateKey({ key: { ...jwk, d: seed }, format: 'jwk' });
  const signer = { id: signing.id, algorithm: 'Ed25519', sign: async ({ data }: { data: Uint8Array }) => new Uint8Array(sign(null, data, privateKey)) };
  const documents = new Map<string, DidDocument>(choice.method === 'web' ? [[did, didWebDocument(did, keys)]] : []);
  return {
    did,
    signingMethod: signing.id,
    documents,
    signingSuite: (date) => new DataIntegrityProof({ signer, cryptosuite, ...(date === undefined ? {} : { date }) }),
  };
}
