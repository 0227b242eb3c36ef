/**
 * Readiness: whether this gateway can serve now. Each check is named and either resolves
 * (ready) or throws. The answer is kept for a short while and shared by concurrent
 * callers, so however often /ready is asked, the broker and the store see at most one
 * probe per interval.
 */
export type ReadinessCheck = readonly [name: string, check: () => Promise<void>];

export interface ReadinessReport {
  ready: boolean;
  /** Each check by name: `ok` or `failed`. */
  checks: Record<string, 'ok' | 'failed'>;
}

export interface ReadinessOptions {
  /** How long an answer is reused, in ms. Default 1000. */
  ttlMs?: number;
  /** Monotonic clock in ms. Default performance.now. */
  now?: () => number;
}

export class Readiness {
  private last: { at: number; report: Promise<ReadinessReport> } | undefined;
  private readonly ttlMs: number;
  private readonly now: () => number;

  constructor(private readonly checks: readonly ReadinessCheck[], opts: ReadinessOptions = {}) {
    this.ttlMs = opts.ttlMs ?? 1000;
    this.now = opts.now ?? (() => performance.now());
  }

  report(): Promise<ReadinessReport> {
    const at = this.now();
    // The interval counts from when a check started, so a slow check is not run again at once.
    if (this.last === undefined || at - this.last.at >= this.ttlMs) this.last = { at, report: this.run() };
    return this.last.report;
  }

  private async run(): Promise<ReadinessReport> {
    const results = await Promise.all(this.checks.map(([, check]) => check().then(() => 'ok' as const, () => 'failed' as const)));
    const checks: Record<string, 'ok' | 'failed'> = {};
    this.checks.forEach(([name], i) => { checks[name] = results[i] as 'ok' | 'failed'; });
    return { ready: results.every((r) => r === 'ok'), checks };
  }
}
