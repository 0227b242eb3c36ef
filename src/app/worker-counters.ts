/**
 * Usage counters of a gateway running in several workers, kept in the primary so that a
 * `count` limit of N permits N requests in all, whichever workers serve them. A worker
 * decides on its copy of the counts (which is never ahead of the primary's: counts only
 * grow within a window), then asks the primary to count the request; the primary counts it
 * only while every key is below its limit, which is what makes the limit exact when two
 * workers decide at once. No answer from the primary refuses the request (fail closed).
 */
import cluster, { type Worker } from 'node:cluster';
import { MimtrustError } from '../errors/index.js';
import { CountCopy, UsageCounters, type CountOutcome, type UsageCounting } from '../gateway/usage-counters.js';

/** However busy the primary, a request does not wait longer than this for its count. */
const COUNT_TIMEOUT_MS = 2000;
type Outcome = CountOutcome;
interface CountRequest { mimtrust: 'count'; id: number; keys: string[]; limits: number[] }
interface CountAnswer { mimtrust: 'counted'; id: number; outcome: Outcome; counts: number[] }

function isCountRequest(m: unknown): m is CountRequest {
  const r = m as Partial<CountRequest> | null;
  return typeof r === 'object' && r !== null && r.mimtrust === 'count' && typeof r.id === 'number'
    && Array.isArray(r.keys) && r.keys.every((k) => typeof k === 'string')
    && Array.isArray(r.limits) && r.limits.every((l) => typeof l === 'number');
}

function isCountAnswer(m: unknown): m is CountAnswer {
  const a = m as Partial<CountAnswer> | null;
  return typeof a === 'object' && a !== null && a.mimtrust === 'counted' && typeof a.id === 'number' && Array.isArray(a.counts);
}

/** In the primary: counts for every worker. Returns a function that stops answering. */
export function serveWorkerCounters(counters = new UsageCounters()): () => void {
  const onMessage = (worker: Worker, m: unknown) => {
    if (!isCountRequest(m)) return;
    let outcome: Outcome;
    try {
      outcome = counters.reserve(m.keys, m.limits) ? 'counted' : 'exceeded';
    } catch {
      outcome = 'full';
    }
    const answer: CountAnswer = { mimtrust: 'counted', id: m.id, outcome, counts: m.keys.map((k) => counters.values.get(k) ?? 0) };
    if (worker.isConnected()) worker.send(answer);
  };
  cluster.on('message', onMessage);
  return () => { cluster.off('message', onMessage); };
}

/** In a worker: counts through the primary. */
export class PrimaryCounters implements UsageCounting {
  private readonly copy = new CountCopy();
  private readonly waiting = new Map<number, (a: CountAnswer | undefined) => void>();
  private next = 0;

  constructor() {
    process.on('message', (m: unknown) => {
      if (!isCountAnswer(m)) return;
      this.waiting.get(m.id)?.(m);
    });
  }

  get values(): ReadonlyMap<string, number> {
    return this.copy.values;
  }

  async increment(keys: readonly string[], limits: readonly number[] = []): Promise<void> {
    if (keys.length === 0) return;
    const answer = await this.ask({ mimtrust: 'count', id: this.next++, keys: [...keys], limits: [...limits] });
    if (answer === undefined) {
      throw new MimtrustError('SERVICE_UNAVAILABLE', 'The usage limits of this request could not be counted; try again later.', { reason: 'usage_counters_unavailable' });
    }
    this.copy.answered(keys, answer.counts, answer.outcome);
  }

  private ask(request: CountRequest): Promise<CountAnswer | undefined> {
    return new Promise((resolve) => {
      const done = (a: CountAnswer | undefined) => {
        clearTimeout(timer);
        this.waiting.delete(request.id);
        resolve(a);
      };
      const timer = setTimeout(() => done(undefined), COUNT_TIMEOUT_MS);
      this.waiting.set(request.id, done);
      if (process.send === undefined || !process.connected) {
        done(undefined);
        return;
      }
      process.send(request, undefined, {}, (err) => { if (err) done(undefined); });
    });
  }
}
