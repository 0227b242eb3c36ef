/**
 * Slows password guessing at the login screen. Failures are counted three ways: per account
 * and address (a guesser at one account from one place), per address (one place trying many
 * accounts) and per account (many places at one account, with a limit high enough that a
 * stranger cannot lock a citizen out cheaply). A throttled attempt is refused before the
 * password is hashed, so a flood of attempts costs no scrypt work either. Addresses are
 * counted by addressKey (an IPv6 client by its /64).
 *
 * An attempt is counted as a failure before its password is checked (attempt()), and taken
 * back if it was right: checking the count and adding to it is one step in each counter,
 * so guesses sent all at once, to one process or spread over several, get no more tries
 * than the limit.
 *
 * The counts are kept by a FailureCounter: in memory for a single gateway (AttemptLimiter),
 * in the database when several instances share it (src/store/pg-login-failures.ts), so
 * spreading the guesses over the instances gains the guesser nothing.
 */
import { AttemptLimiter, addressKey, type AttemptLimit } from '../lib/index.js';

export interface LoginThrottleSettings {
  perAccountAndAddress: number;
  perAddress: number;
  perAccount: number;
  windowSec: number;
}

/** Failures of one kind of key within a sliding window; AttemptLimiter is the in-memory one. */
export interface FailureCounter {
  /** Milliseconds until the key may try again; 0 when it may try now. */
  waitMs(key: string, now: number): number | Promise<number>;
  fail(key: string, now: number): void | Promise<void>;
  /** Waits as waitMs does, or else counts a failure at `now`, in one step: 0 when counted. */
  attempt(key: string, now: number): number | Promise<number>;
  /** Takes back one failure counted at `at` by attempt(). */
  forgive(key: string, at: number): void | Promise<void>;
  succeed(key: string): void | Promise<void>;
}

/** Makes the counter of one kind of key (`pair`, `address`, `account`) under its limit. */
export type FailureCounters = (name: string, limit: AttemptLimit) => FailureCounter;

export const IN_MEMORY: FailureCounters = (_name, limit) => new AttemptLimiter(limit);

export class LoginThrottle {
  readonly #pair: FailureCounter;
  readonly #address: FailureCounter;
  readonly #account: FailureCounter;

  constructor(s: LoginThrottleSettings, counters: FailureCounters = IN_MEMORY) {
    const windowMs = s.windowSec * 1000;
    this.#pair = counters('pair', { maxFailures: s.perAccountAndAddress, windowMs });
    this.#address = counters('address', { maxFailures: s.perAddress, windowMs });
    this.#account = counters('account', { maxFailures: s.perAccount, windowMs });
  }

  /** Milliseconds this attempt must wait; 0 when it may go ahead. */
  async waitMs(username: string, address: string, now: number): Promise<number> {
    const k = keysOf(username, address);
    const waits = await Promise.all([
      this.#pair.waitMs(k.pair, now),
      this.#address.waitMs(k.address, now),
      this.#account.waitMs(k.account, now),
    ]);
    return Math.max(...waits);
  }

  async failed(username: string, address: string, now: number): Promise<void> {
    const k = keysOf(username, address);
    await Promise.all([
      this.#pair.fail(k.pair, now),
      this.#address.fail(k.address, now),
      this.#account.fail(k.account, now),
    ]);
  }

  /**
   * Counts this attempt as a failure against each key, before the password is checked,
   * unless one of them must wait: then nothing stays counted and the longest wait is
   * returned. The keys are taken one after another, always in the same order, and a
   * refusal stops there: an attempt reaches a key only once every key before it counted
   * it, so attempts sent at once get no more tries than the tightest limit allows (taken
   * all at once, one refused at one key was taken back at another after a later attempt
   * had been refused there, and fewer tries than the limit were left to anyone).
   */
  async attempt(username: string, address: string, now: number): Promise<number> {
    const k = keysOf(username, address);
    const counted = [[this.#pair, k.pair], [this.#address, k.address], [this.#account, k.account]] as const;
    for (let i = 0; i < counted.length; i++) {
      const [counter, key] = counted[i] as (typeof counted)[number];
      const wait = await counter.attempt(key, now);
      if (wait === 0) continue;
      const earlier = counted.slice(0, i);
      const later = counted.slice(i + 1);
      await Promise.all(earlier.map(async ([c, key]) => c.forgive(key, now)));
      return Math.max(wait, ...await Promise.all(later.map(async ([c, key]) => c.waitMs(key, now))));
    }
    return 0;
  }

  /**
   * A right password clears that account's failures from that address only; the attempt()
   * made `at` that time is taken back from the address's and the account's counts.
   */
  async succeeded(username: string, address: string, at?: number): Promise<void> {
    const k = keysOf(username, address);
    await this.#pair.succeed(k.pair);
    if (at !== undefined) await Promise.all([this.#address.forgive(k.address, at), this.#account.forgive(k.account, at)]);
  }
}

function keysOf(username: string, address: string): { pair: string; address: string; account: string } {
  const account = accountKey(username);
  const from = addressKey(address);
  return { pair: `${account}\u0000${from}`, address: from, account };
}

// Variants of one name in case or surrounding space count as one, so they cannot multiply the tries.
function accountKey(username: string): string {
  return username.trim().toLowerCase();
}
