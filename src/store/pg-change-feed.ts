/**
 * The change feed between gateways on one PostgreSQL database: NOTIFY on a channel named
 * for the schema (so deployments in other schemas of the database are not heard), LISTEN on
 * a dedicated connection. The stores publish inside the transaction that makes the change
 * (`publishIn`), so the event is sent exactly when the change commits, and never for one
 * rolled back. Each event carries the publishing instance, which does not hear its own.
 *
 * When the listening connection is lost the feed is down (`live` false, /ready says so)
 * and reconnects with a backoff doubling up to a ceiling; notifications sent meanwhile are
 * lost, so once it listens again every listener re-reads everything (`resync`).
 */
import pg from 'pg';
import { parseChangeEvent, tellListeners, type ChangeEvent, type ChangeFeed, type ChangeListener } from '../changes/index.js';
import type { PgClient, PgPool } from './pg.js';

export interface PgChangeFeedOptions {
  url: string;
  pool: PgPool;
  /** This gateway's instance id: its own events are not delivered back to it. */
  instance: string;
  /** First reconnection delay; doubles on each failure up to maxBackoffMs. Defaults 100 and 5000. */
  minBackoffMs?: number;
  maxBackoffMs?: number;
  /** Told when the feed goes down (with why) and up again; must not throw. */
  onState?: (live: boolean, err?: unknown) => void;
  /** A listener that failed on an event; must not throw. */
  onError?: (err: unknown) => void;
}

/** NOTIFY payloads are limited to 8000 bytes; an event is far smaller, but never sent truncated. */
const MAX_PAYLOAD = 7900;

/** The channel for a schema: a quoted identifier, at most 63 bytes. */
function channelFor(schema: string): string {
  return `mimtrust_changes_${Buffer.from(schema).toString('hex')}`.slice(0, 63);
}

export class PgChangeFeed implements ChangeFeed {
  private readonly listeners = new Set<ChangeListener>();
  private client: pg.Client | undefined;
  private isLive = false;
  private backoffMs: number;
  private timer: NodeJS.Timeout | undefined;
  private closed = false;

  private constructor(private readonly opts: PgChangeFeedOptions, readonly channel: string) {
    this.backoffMs = opts.minBackoffMs ?? 100;
  }

  /** Opens the feed; the start fails when the first LISTEN does. */
  static async open(opts: PgChangeFeedOptions): Promise<PgChangeFeed> {
    const schema = (await opts.pool.query<{ s: string }>('SELECT current_schema() AS s')).rows[0]?.s ?? 'public';
    const feed = new PgChangeFeed(opts, channelFor(schema));
    await feed.connect();
    return feed;
  }

  get live(): boolean {
    return this.isLive;
  }

  check(): void {
    if (!this.isLive) throw new Error('the change feed is down: changes made on other instances may be missed');
  }

  subscribe(listener: ChangeListener): () => void {
    this.listeners.add(listener);
    return () => { this.listeners.delete(listener); };
  }

  /** Sends at once, outside any transaction. */
  async publish(event: ChangeEvent): Promise<void> {
    await this.opts.pool.query('SELECT pg_notify($1, $2)', [this.channel, this.payload(event)]);
  }

  /** Sends when `client`'s transaction commits, with the change it made. */
  async publishIn(client: PgClient, event: ChangeEvent): Promise<void> {
    await client.query('SELECT pg_notify($1, $2)', [this.channel, this.payload(event)]);
  }

  private payload(event: ChangeEvent): string {
    const text = JSON.stringify({ from: this.opts.instance, ...event });
    if (Buffer.byteLength(text) > MAX_PAYLOAD) throw new Error('change event too large for a notification');
    return text;
  }

  private async connect(): Promise<void> {
    const client = new pg.Client({ connectionString: this.opts.url });
    client.on('error', (err) => this.lost(client, err));
    client.on('end', () => this.lost(client, new Error('connection ended')));
    client.on('notification', (n) => { if (n.channel === this.channel) void this.deliver(n.payload); });
    try {
      await client.connect();
      await client.query(`LISTEN "${this.channel}"`);
    } catch (err) {
      client.removeAllListeners('end');
      await client.end().catch(() => undefined);
      throw err;
    }
    this.client = client;
    this.isLive = true;
    this.backoffMs = this.opts.minBackoffMs ?? 100;
  }

  private async deliver(payload: string | undefined): Promise<void> {
    let parsed: unknown;
    try {
      parsed = JSON.parse(payload ?? '');
    } catch {
      parsed = undefined;
    }
    const from = (parsed as { from?: unknown } | undefined)?.from;
    if (from === this.opts.instance) return;
    const event = parseChangeEvent(parsed);
    const onError = this.opts.onError ?? (() => undefined);
    // Something on the channel that is not an event: what it meant to say is unknown, so everything is read again.
    if (event === undefined) await tellListeners(this.listeners, (l) => l.resync(), onError);
    else await tellListeners(this.listeners, (l) => l.change(event), onError);
  }

  private lost(client: pg.Client, err: unknown): void {
    if (this.client !== client) return;
    this.client = undefined;
    this.isLive = false;
    client.removeAllListeners('end');
    client.end().catch(() => undefined);
    if (this.closed) return;
    this.opts.onState?.(false, err);
    this.retry();
  }

  private retry(): void {
    const delay = this.backoffMs;
    this.backoffMs = Math.min(this.opts.maxBackoffMs ?? 5000, this.backoffMs * 2);
    this.timer = setTimeout(() => {
      this.timer = undefined;
      if (this.closed) return;
      this.connect().then(
        async () => {
          if (this.closed) return;
          this.opts.onState?.(true);
          await tellListeners(this.listeners, (l) => l.resync(), this.opts.onError ?? (() => undefined));
        },
        (err: unknown) => {
          this.opts.onState?.(false, err);
          this.retry();
        },
      );
    }, delay);
    this.timer.unref();
  }

  async close(): Promise<void> {
    this.closed = true;
    this.isLive = false;
    clearTimeout(this.timer);
    const client = this.client;
    this.client = undefined;
    this.listeners.clear();
    if (client) {
      client.removeAllListeners('end');
      await client.end().catch(() => undefined);
    }
  }
}
