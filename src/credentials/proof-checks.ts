/**
 * The two proof checks, as the main thread and the proof workers both make them: a
 * credential's Data Integrity proof (eddsa-rdfc-2022 only), and a presentation's own proof
 * for a challenge and domain, with the proofs of the credentials in it but those already
 * known to hold (which of them held is answered too, so they need not be checked again).
 * Dates and status are not checked here: the library's date checks are off (the verifier
 * makes its own, on every call) and its status check answers yes. Anything that throws
 * is a failure, named by the CredentialError inside it when there is one.
 */
import { _checkPresentation as vcCheckPresentation, verifyCredential as vcVerifyCredential, type DocumentLoader, type VerifyResult } from '@digitalbazaar/vc';
import jsigs from 'jsonld-signatures';
import { DataIntegrityProof } from '@digitalbazaar/data-integrity';
import { isObject } from '../lib/index.js';
import { CredentialError, credentialErrorIn } from './errors.js';
import { verifyingCryptosuite } from './ed25519-verifier.js';

const suite = new DataIntegrityProof({ cryptosuite: verifyingCryptosuite() });
const noStatus = async (): Promise<{ verified: boolean }> => ({ verified: true });
/** The library's date checks (five minutes of skew) are left to the verifier's own. */
const NO_DATE_CHECKS = Infinity;

export interface PresentationProof {
  /** Why the presentation's own proof does not hold; undefined when it does. */
  failure: CredentialError | undefined;
  /** For each credential in the presentation: whether its proof held (only when the presentation's did). */
  credentialProofs: boolean[];
}

/** Why a library's verification failed: a CredentialError found in it, or a generic proof failure (its text is not passed on). */
function failure(result: VerifyResult | undefined, fallback: string): CredentialError {
  const errors = [result?.error, ...(result?.results ?? []).map((r) => r.error), result?.presentationResult?.error];
  return credentialErrorIn(errors) ?? new CredentialError('proof_invalid', fallback);
}

export async function checkCredentialProof(credential: Record<string, unknown>, loader: DocumentLoader, now: number): Promise<CredentialError | undefined> {
  let result: VerifyResult;
  try {
    result = await vcVerifyCredential({ credential, suite, documentLoader: loader, checkStatus: noStatus, now: new Date(now), maxClockSkew: NO_DATE_CHECKS });
  } catch (err) {
    result = { verified: false, error: err };
  }
  return result.verified ? undefined : failure(result, 'The credential\'s proof does not verify.');
}

/**
 * The presentation's proof, and the proofs of the credentials in it but those `known`
 * (by index: proofs that held on this exact credential a moment ago). The steps are the
 * library's own verification of a presentation (its structure, each credential as alone,
 * the presentation's proof for the challenge and domain), taken one by one so that a
 * credential an organisation presents at every login is not canonicalised again each time.
 */
export async function checkPresentationProof(
  presentation: Record<string, unknown>, options: { challenge: string; domain?: string }, loader: DocumentLoader, now: number, known: readonly boolean[] = [],
): Promise<PresentationProof> {
  const credentials = presentation['verifiableCredential'] === undefined ? [] : [presentation['verifiableCredential']].flat();
  let result: VerifyResult;
  let credentialProofs: boolean[] = [];
  try {
    vcCheckPresentation(presentation);
    credentialProofs = await Promise.all(credentials.map(async (c, i) => known[i] === true || (isObject(c) && await checkCredentialProof(c, loader, now) === undefined)));
    const purpose = new jsigs.purposes.AuthenticationProofPurpose({ challenge: options.challenge, ...(options.domain === undefined ? {} : { domain: options.domain }) });
    result = await jsigs.verify(presentation, { suite, purpose, documentLoader: loader });
  } catch (err) {
    result = { verified: false, error: err };
  }
  if (!result.verified) {
    const e = failure(result, 'The presentation\'s proof does not verify for this challenge and domain.');
    return { failure: e.reason === 'proof_invalid' ? new CredentialError('presentation_proof_invalid', e.message) : e, credentialProofs: [] };
  }
  return { failure: undefined, credentialProofs };
}

/** The DIDs (without fragment) a credential or presentation's proofs name: issuers, holder, verification methods. */
export function didsNamed(document: Record<string, unknown>): string[] {
  const found = new Set<string>();
  const add = (v: unknown): void => {
    const id = isObject(v) ? v['id'] : v;
    if (typeof id === 'string' && id.startsWith('did:')) found.add(id.split('#')[0] as string);
  };
  const visit = (doc: unknown): void => {
    if (!isObject(doc)) return;
    add(doc['issuer']);
    add(doc['holder']);
    for (const proof of [doc['proof']].flat()) if (isObject(proof)) add(proof['verificationMethod']);
  };
  visit(document);
  for (const credential of [document['verifiableCredential']].flat()) visit(credential);
  return [...found];
}
