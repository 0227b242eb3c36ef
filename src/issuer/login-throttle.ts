/**
 * Slows password guessing at the login screen. Failures are counted three ways: per account
 * and address (a guesser at one account from one place), per address (one place trying many
 * accounts) and per account (many places at one account, with a limit high enough that a
 * stranger cannot lock a citizen out cheaply). A throttled attempt is refused before the
 * password is hashed, so a flood of attempts costs no scrypt work either.
 */
import { AttemptLimiter } from '../lib/index.js';

export interface LoginThrottleSettings {
  perAccountAndAddress: number;
  perAddress: number;
  perAccount: number;
  windowSec: number;
}

export class LoginThrottle {
  readonly #pair: AttemptLimiter;
  readonly #address: AttemptLimiter;
  readonly #account: AttemptLimiter;

  constructor(s: LoginThrottleSettings) {
    const windowMs = s.windowSec * 1000;
    this.#pair = new AttemptLimiter({ maxFailures: s.perAccountAndAddress, windowMs });
    this.#address = new AttemptLimiter({ maxFailures: s.perAddress, windowMs });
    this.#account = new AttemptLimiter({ maxFailures: s.perAccount, windowMs });
  }

  /** Milliseconds this attempt must wait; 0 when it may go ahead. */
  waitMs(username: string, address: string, now: number): number {
    const account = accountKey(username);
    return Math.max(
      this.#pair.waitMs(`${account}\u0000${address}`, now),
      this.#address.waitMs(address, now),
      this.#account.waitMs(account, now),
    );
  }

  failed(username: string, address: string, now: number): void {
    const account = accountKey(username);
    this.#pair.fail(`${account}\u0000${address}`, now);
    this.#address.fail(address, now);
    this.#account.fail(account, now);
  }

  /** A right password clears that account's failures from that address only. */
  succeeded(username: string, address: string): void {
    this.#pair.succeed(`${accountKey(username)}\u0000${address}`);
  }
}

// Variants of one name in case or surrounding space count as one, so they cannot multiply the tries.
function accountKey(username: string): string {
  return username.trim().toLowerCase();
}
