/**
 * The change feed inside one process, for the embedded SQLite store: one gateway owns the
 * data file (the store lock), so its caches are the only ones and are never behind. An
 * event published here reaches the listeners subscribed to it in this process.
 */
import { tellListeners, type ChangeEvent, type ChangeFeed, type ChangeListener } from './change-feed.js';

export class InProcessChangeFeed implements ChangeFeed {
  private readonly listeners = new Set<ChangeListener>();
  readonly live = true;

  constructor(private readonly onError: (err: unknown) => void = () => undefined) {}

  async publish(event: ChangeEvent): Promise<void> {
    await tellListeners(this.listeners, (l) => l.change(event), this.onError);
  }

  subscribe(listener: ChangeListener): () => void {
    this.listeners.add(listener);
    return () => { this.listeners.delete(listener); };
  }

  check(): void {}

  async close(): Promise<void> {
    this.listeners.clear();
  }
}
