/**
 * Proofs checked on every core: a proof goes to an idle worker of the pool; when none is
 * idle the main thread checks it, one at a time, so it works too while the pool is busy;
 * when the main thread is already at one, the proof waits in the pool (bounded there).
 * The main thread resolves the DIDs a proof names and hands them over with it. A worker
 * that fails, is too slow or answers anything but a verdict that holds refuses the
 * proof: nothing here turns an error into a pass.
 */
import { CredentialError } from './errors.js';
import type { DidDocument } from './did-resolution.js';
import { didsNamed, type PresentationProof } from './proof-checks.js';
import type { ProofAnswer, ProofPool, ProofTask } from './proof-pool.js';
import type { ProofChecker } from './verify.js';

type Outcome<T> = { here: T } | { pooled: ProofAnswer } | { refused: CredentialError };

export class PooledProofs implements ProofChecker {
  private mainBusy = false;

  constructor(
    private readonly pool: ProofPool,
    private readonly local: ProofChecker,
    private readonly resolveDid: (did: string) => Promise<DidDocument>,
  ) {}

  async credential(credential: Record<string, unknown>, now: number): Promise<CredentialError | undefined> {
    const outcome = await this.run({ kind: 'credential', credential }, () => this.local.credential(credential, now), now);
    if ('here' in outcome) return outcome.here;
    if ('refused' in outcome) return outcome.refused;
    return outcome.pooled.verified === true ? undefined : refusal(outcome.pooled, 'The credential\'s proof does not verify.');
  }

  async presentation(presentation: Record<string, unknown>, options: { challenge: string; domain?: string }, now: number, known: readonly boolean[]): Promise<PresentationProof> {
    const outcome = await this.run({ kind: 'presentation', presentation, ...options, known: [...known] }, () => this.local.presentation(presentation, options, now, known), now);
    if ('here' in outcome) return outcome.here;
    if ('refused' in outcome) return { failure: outcome.refused, credentialProofs: [] };
    const { pooled } = outcome;
    if (pooled.verified !== true) return { failure: refusal(pooled, 'The presentation\'s proof does not verify for this challenge and domain.'), credentialProofs: [] };
    return { failure: undefined, credentialProofs: (pooled.credentialProofs ?? []).map((held) => held === true) };
  }

  /** The task in an idle worker, else in this thread when it is free, else queued in the pool. */
  private async run<T>(task: ProofTask, here: () => Promise<T>, now: number): Promise<Outcome<T>> {
    if (!this.pool.idle() && !this.mainBusy) {
      this.mainBusy = true;
      try {
        return { here: await here() };
      } finally {
        this.mainBusy = false;
      }
    }
    try {
      const dids = new Map<string, DidDocument>();
      for (const did of didsNamed(task.kind === 'credential' ? task.credential : task.presentation)) dids.set(did, await this.resolveDid(did));
      return { pooled: await this.pool.verify(task, dids, now) };
    } catch (err) {
      return { refused: err instanceof CredentialError ? err : new CredentialError('verification_unavailable', 'The proof could not be checked.') };
    }
  }
}

function refusal(answer: ProofAnswer, fallback: string): CredentialError {
  return new CredentialError(answer.failure?.reason ?? 'proof_invalid', answer.failure?.message ?? fallback);
}
