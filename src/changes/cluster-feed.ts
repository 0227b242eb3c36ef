/**
 * The change feed between the workers of one gateway on the embedded SQLite store. A
 * worker announces a change to the primary over the cluster channel once the transaction
 * that made it has committed; the primary relays it to every other worker
 * (`relayClusterChanges`), whose caches re-read what it names. Like the PostgreSQL feed, a
 * worker does not hear its own announcements: the code that made the change keeps its
 * own cache right.
 *
 * The channel to the primary closes only when the primary is gone or is going: the feed
 * is then down (`live` false, /ready says so), consent records are read from the store on
 * every use, and announcements sent meanwhile are lost; it does not come back (a worker
 * without a primary is stopped with it).
 */
import { parseChangeEvent, tellListeners, type ChangeEvent, type ChangeFeed, type ChangeListener } from './change-feed.js';

/** A message of the feed on the cluster channel, in either direction. */
export interface ChangeMessage {
  mimtrust: 'change';
  event: ChangeEvent;
}

/** The change a cluster message carries, or undefined when it is not one of the feed's. */
export function parseChangeMessage(message: unknown): ChangeEvent | undefined {
  if (typeof message !== 'object' || message === null) return undefined;
  const m = message as Partial<ChangeMessage>;
  return m.mimtrust === 'change' ? parseChangeEvent(m.event) : undefined;
}

/** What the feed needs of the channel to the primary: a worker's `process`. */
export interface PrimaryChannel {
  readonly connected: boolean;
  send?(message: ChangeMessage, sendHandle?: undefined, options?: undefined, callback?: (err: Error | null) => void): boolean;
  on(event: 'message', listener: (message: unknown) => void): unknown;
  on(event: 'disconnect', listener: () => void): unknown;
  off(event: 'message', listener: (message: unknown) => void): unknown;
  off(event: 'disconnect', listener: () => void): unknown;
}

export interface ClusterChangeFeedOptions {
  /** Told once when the channel closes; must not throw. */
  onDown?: () => void;
  /** A listener that failed on an event, or an announcement that could not be sent; must not throw. */
  onError?: (err: unknown) => void;
}

export class ClusterChangeFeed implements ChangeFeed {
  private readonly listeners = new Set<ChangeListener>();
  private down = false;
  private readonly onMessage = (message: unknown): void => {
    const event = parseChangeMessage(message);
    if (event !== undefined) void tellListeners(this.listeners, (l) => l.change(event), this.onError);
  };
  private readonly onDisconnect = (): void => {
    if (this.down) return;
    this.down = true;
    this.opts.onDown?.();
    // What was kept may be behind from now on: everything is read again, and consent
    // records are read from the store on every use while the feed is down.
    void tellListeners(this.listeners, (l) => l.resync(), this.onError);
  };
  private readonly onError: (err: unknown) => void;

  constructor(private readonly channel: PrimaryChannel, private readonly opts: ClusterChangeFeedOptions = {}) {
    this.onError = opts.onError ?? (() => undefined);
    this.down = !channel.connected || channel.send === undefined;
    channel.on('message', this.onMessage);
    channel.on('disconnect', this.onDisconnect);
  }

  get live(): boolean {
    return !this.down && this.channel.connected;
  }

  /** Sends the event to the primary for the other workers; resolves once it is handed to the channel. */
  publish(event: ChangeEvent): Promise<void> {
    const failed = (err: unknown): Promise<void> => {
      this.onError(err);
      return Promise.reject(err instanceof Error ? err : new Error(String(err)));
    };
    if (!this.live) return failed(new Error('the cluster channel to the primary is closed: a change is not relayed to the other workers'));
    return new Promise<void>((resolve, reject) => {
      try {
        this.channel.send!({ mimtrust: 'change', event }, undefined, undefined, (err) => (err ? reject(err) : resolve()));
      } catch (err) {
        reject(err instanceof Error ? err : new Error(String(err)));
      }
    }).catch(failed);
  }

  subscribe(listener: ChangeListener): () => void {
    this.listeners.add(listener);
    return () => { this.listeners.delete(listener); };
  }

  check(): void {
    if (!this.live) throw new Error('the cluster channel to the primary is closed: changes made through other workers are not heard');
  }

  async close(): Promise<void> {
    this.channel.off('message', this.onMessage);
    this.channel.off('disconnect', this.onDisconnect);
    this.listeners.clear();
  }
}

/** What the relay needs of a worker: node:cluster's Worker. */
export interface WorkerChannel {
  readonly id: number;
  isConnected(): boolean;
  send(message: ChangeMessage): boolean;
}

/**
 * In the primary: relays a change announced by one worker to every other worker that is
 * connected. `workers` is read at each relay, so restarted workers hear what follows.
 */
export function relayChange(from: WorkerChannel, message: unknown, workers: Iterable<WorkerChannel>): number {
  const event = parseChangeMessage(message);
  if (event === undefined) return 0;
  let sent = 0;
  for (const w of workers) {
    if (w.id === from.id || !w.isConnected()) continue;
    w.send({ mimtrust: 'change', event });
    sent += 1;
  }
  return sent;
}
