/**
 * Organisations and registries as did:key holders, for logins to the city's issuer with a
 * Verifiable Presentation: a credential a registry signs about an organisation, and the
 * organisation's presentation of it for one challenge of the issuer.
 */
import { createPresentation, issue, signPresentation } from '@digitalbazaar/vc';
import { from, generate, type Ed25519KeyPair } from '@digitalbazaar/ed25519-multikey';
import { DataIntegrityProof } from '@digitalbazaar/data-integrity';
import { cryptosuite } from '@digitalbazaar/eddsa-rdfc-2022-cryptosuite';
import { documentLoader, PACKAGED_CONTEXTS } from '../../src/credentials/index.js';
import { VP_LOGIN_CLIENT_ID, VP_TOKEN_GRANT } from '../../src/issuer/index.js';
import { OIDC_ISSUER, postForm, type Gateway } from './oidc.js';

export interface DidKey { did: string; pair: Ed25519KeyPair }

/** The terms the registry's credentials use, defined in the credential itself: the VC 2.0 context has no @vocab. */
const TERMS = {
  OrganisationCredential: 'https://registry.example/vocab#OrganisationCredential',
  MembershipCredential: 'https://registry.example/vocab#MembershipCredential',
  role: 'https://schema.org/roleName',
  legalName: 'https://schema.org/legalName',
};
const loader = () => documentLoader({ contexts: PACKAGED_CONTEXTS, resolveDid: async () => { throw new Error('not needed to sign'); } });

export async function didKey(): Promise<DidKey> {
  const key = await generate();
  const did = `did:key:${key.publicKeyMultibase}`;
  return { did, pair: await from({ ...(await key.export({ publicKey: true, secretKey: true })), id: `${did}#${key.publicKeyMultibase}`, controller: did }) };
}

/** A credential `by` signs about `about` (a new object each time: signing adds the proof to what it is given). */
export async function credential(by: DidKey, about: DidKey, o: { type?: string; role?: string; validUntil?: string; status?: unknown } = {}) {
  return issue({
    credential: {
      '@context': ['https://www.w3.org/ns/credentials/v2', TERMS],
      type: ['VerifiableCredential', o.type ?? 'OrganisationCredential'],
      issuer: by.did,
      validFrom: '2024-01-01T00:00:00Z',
      ...(o.validUntil ? { validUntil: o.validUntil } : {}),
      credentialSubject: { id: about.did, legalName: 'Lighting Co', role: o.role ?? 'dataUser' },
      ...(o.status ? { credentialStatus: o.status } : {}),
    },
    suite: new DataIntegrityProof({ signer: by.pair.signer(), cryptosuite }),
    documentLoader: loader(),
  });
}

/** `holder`'s presentation of `vc` for the issuer's `challenge`, signed for `domain` (the issuer's by default). */
export async function presentation(vc: unknown, holder: DidKey, challenge: string, domain = OIDC_ISSUER) {
  return signPresentation({
    // Dated inside every test credential's validity: presenting an expired one must be possible, to see it refused.
    presentation: createPresentation({ verifiableCredential: [vc], holder: holder.did, now: new Date('2024-06-01T00:00:00Z') }),
    suite: new DataIntegrityProof({ signer: holder.pair.signer(), cryptosuite }),
    documentLoader: loader(),
    challenge,
    domain,
  });
}

/** The token request of a presentation login at `h`. */
export const vpLogin = (h: Gateway, vp: unknown, headers: Record<string, string> = {}) => postForm(h, '/oidc/token', {
  grant_type: VP_TOKEN_GRANT, client_id: VP_LOGIN_CLIENT_ID, vp_token: JSON.stringify(vp), presentation_submission: '{"id":"s","definition_id":"org","descriptor_map":[]}',
}, headers);
