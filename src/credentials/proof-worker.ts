/**
 * A worker thread of the proof pool (proof-pool.ts): checks the Data Integrity proofs of
 * one credential or presentation at a time (proof-checks.ts, as the main thread would)
 * with the packaged contexts, the gateway's own ones and the DID documents the main
 * thread resolved for it. It loads nothing else: a document it was not given fails the
 * proof.
 */
import { parentPort, workerData } from 'node:worker_threads';
import { PACKAGED_CONTEXTS } from './contexts.js';
import { documentLoader } from './document-loader.js';
import { CredentialError } from './errors.js';
import type { DidDocument } from './did-resolution.js';
import { checkCredentialProof, checkPresentationProof } from './proof-checks.js';
import { WORKER_READY, type ProofJob, type ProofAnswer } from './proof-pool.js';

const contexts = new Map([...PACKAGED_CONTEXTS, ...(workerData as { contexts: Array<[string, unknown]> }).contexts]);
const generic = { reason: 'proof_invalid', message: 'The credential\'s proof does not verify.' };

async function answer(job: ProofJob): Promise<ProofAnswer> {
  const dids = new Map<string, DidDocument>(job.dids);
  const loader = documentLoader({
    contexts,
    resolveDid: async (did) => dids.get(did) ?? Promise.reject(new CredentialError('did_unresolved', 'The DID could not be resolved.')),
  });
  if (job.kind === 'credential') {
    const failure = await checkCredentialProof(job.credential, loader, job.now);
    return { id: job.id, verified: failure === undefined, ...(failure ? { failure: { reason: failure.reason, message: failure.message } } : {}) };
  }
  const checked = await checkPresentationProof(job.presentation, { challenge: job.challenge, ...(job.domain === undefined ? {} : { domain: job.domain }) }, loader, job.now, job.known);
  const failure = checked.failure;
  return { id: job.id, verified: failure === undefined, credentialProofs: checked.credentialProofs, ...(failure ? { failure: { reason: failure.reason, message: failure.message } } : {}) };
}

parentPort?.on('message', (job: ProofJob) => {
  void answer(job).catch((): ProofAnswer => ({ id: job.id, verified: false, failure: generic })).then((a) => parentPort?.postMessage(a));
});
parentPort?.postMessage(WORKER_READY);
