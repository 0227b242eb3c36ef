/**
 * A worker thread of the proof pool (proof-pool.ts): verifies the Data Integrity proof of
 * one credential at a time with the packaged contexts, the gateway's own ones and the DID
 * documents the main thread resolved for it. It loads nothing else: a document it was not
 * given fails the proof.
 */
import { parentPort, workerData } from 'node:worker_threads';
import { verifyCredential } from '@digitalbazaar/vc';
import { DataIntegrityProof } from '@digitalbazaar/data-integrity';
import { cryptosuite } from '@digitalbazaar/eddsa-rdfc-2022-cryptosuite';
import { PACKAGED_CONTEXTS } from './contexts.js';
import { documentLoader } from './document-loader.js';
import { CredentialError, credentialErrorIn } from './errors.js';
import type { DidDocument } from './did-resolution.js';
import type { ProofJob, ProofAnswer } from './proof-pool.js';

const contexts = new Map([...PACKAGED_CONTEXTS, ...(workerData as { contexts: Array<[string, unknown]> }).contexts]);
const suite = new DataIntegrityProof({ cryptosuite });

parentPort?.on('message', (job: ProofJob) => {
  void (async (): Promise<ProofAnswer> => {
    const dids = new Map<string, DidDocument>(job.dids);
    const loader = documentLoader({
      contexts,
      resolveDid: async (did) => dids.get(did) ?? Promise.reject(new CredentialError('did_unresolved', 'The DID could not be resolved.')),
    });
    try {
      const result = await verifyCredential({
        credential: job.credential as object, suite, documentLoader: loader, now: new Date(job.now), maxClockSkew: Infinity,
        checkStatus: async () => ({ verified: true }),
      });
      return { id: job.id, verified: result.verified, ...(result.verified ? {} : { failure: reasonOf(result) }) };
    } catch {
      return { id: job.id, verified: false, failure: { reason: 'proof_invalid', message: 'The credential\'s proof does not verify.' } };
    }
  })().then((answer) => parentPort?.postMessage(answer));
});

function reasonOf(result: { error?: unknown; results?: Array<{ error?: unknown }> }): { reason: string; message: string } {
  const found = credentialErrorIn([result.error, ...(result.results ?? []).map((r) => r.error)]);
  return found ? { reason: found.reason, message: found.message } : { reason: 'proof_invalid', message: 'The credential\'s proof does not verify.' };
}
