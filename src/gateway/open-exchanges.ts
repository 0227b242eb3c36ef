/**
 * The exchanges under way. A server's close() waits for its connections, not for handlers
 * whose client has gone: a read still at the broker would append its outcome after the
 * audit log closed, and lose it. A closing gateway waits for these first.
 */
export class OpenExchanges {
  private count = 0;
  private waiters: Array<() => void> = [];

  enter(): void {
    this.count++;
  }

  leave(): void {
    this.count--;
    if (this.count > 0 || this.waiters.length === 0) return;
    const waiters = this.waiters;
    this.waiters = [];
    for (const resolve of waiters) resolve();
  }

  /** Resolves once no exchange is under way. */
  settled(): Promise<void> {
    return this.count === 0 ? Promise.resolve() : new Promise((resolve) => this.waiters.push(resolve));
  }
}
