/**
 * Durable commits without blocking the event loop. The audit connection runs SQLite with
 * synchronous=NORMAL (a commit appends to the WAL without waiting for the disk), and this
 * then flushes the WAL file with fdatasync on libuv's thread pool. When sync() resolves,
 * every transaction committed before the call is on disk, as synchronous=FULL would
 * guarantee, but the request thread never sits in the system call. SQLite keeps the WAL
 * file (same inode) for as long as a connection is open, so one descriptor serves.
 */
import { open, type FileHandle } from 'node:fs/promises';

interface Waiters { promise: Promise<void>; resolve: () => void; reject: (e: unknown) => void }

/** At most this many flushes run at once; later requests share the next one (group commit). */
const MAX_RUNNING = 2;

export class WalSync {
  private handle: Promise<FileHandle> | undefined;
  private readonly walPath: string;
  private running = 0;
  private next: Waiters | undefined;

  /** `onSync` is told how long each fdatasync took (metrics); it must not throw. */
  constructor(dbPath: string, private readonly onSync?: (seconds: number) => void) {
    this.walPath = `${dbPath}-wal`;
  }

  /** Resolves once everything committed before this call is on disk. */
  sync(): Promise<void> {
    if (this.running < MAX_RUNNING) return this.flush();
    if (!this.next) {
      let resolve!: () => void;
      let reject!: (e: unknown) => void;
      const promise = new Promise<void>((res, rej) => { resolve = res; reject = rej; });
      this.next = { promise, resolve, reject };
    }
    return this.next.promise;
  }

  private async flush(): Promise<void> {
    this.running++;
    try {
      // Opened on first use: the WAL file exists once the first transaction has committed.
      this.handle ??= open(this.walPath, 'r');
      const file = await this.handle;
      const t0 = performance.now();
      await file.datasync();
      this.onSync?.((performance.now() - t0) / 1000);
    } catch (err) {
      this.handle = undefined;
      throw err;
    } finally {
      this.running--;
      const waiting = this.next;
      if (waiting) {
        this.next = undefined;
        this.flush().then(waiting.resolve, waiting.reject);
      }
    }
  }

  async close(): Promise<void> {
    const h = this.handle;
    this.handle = undefined;
    await (await h?.catch(() => undefined))?.close();
  }
}
