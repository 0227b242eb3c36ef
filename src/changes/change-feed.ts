/**
 * What one gateway tells the others when something they keep in memory changed in the
 * shared store, and how a cache hears it. Events name what changed, never its content:
 * a listener reads the store again, so an event can neither carry nor forge data.
 */
export type ChangeEvent =
  | { kind: 'contract'; provider: string | null; uid: string }
  | { kind: 'consent'; id: string }
  | { kind: 'subscription'; relayHash: string }
  | { kind: 'trusted-issuer'; did: string };

export interface ChangeListener {
  /** One thing changed: forget or re-read it. */
  change(event: ChangeEvent): void | Promise<void>;
  /** Changes may have been missed (the feed was down): re-read everything. */
  resync(): void | Promise<void>;
}

export interface ChangeFeed {
  /** Tells the other listeners; resolves once the event is sent. */
  publish(event: ChangeEvent): Promise<void>;
  /** Returns a function that stops the listener. */
  subscribe(listener: ChangeListener): () => void;
  /** False while changes made elsewhere may be missed; caches then read the store. */
  readonly live: boolean;
  /** For /ready: throws naming why changes may be missed. */
  check(): void;
  close(): Promise<void>;
}

/** A ChangeEvent read from outside (a notification payload), or undefined when it is not one. */
export function parseChangeEvent(value: unknown): ChangeEvent | undefined {
  if (typeof value !== 'object' || value === null) return undefined;
  const v = value as Record<string, unknown>;
  if (v.kind === 'contract' && (v.provider === null || typeof v.provider === 'string') && typeof v.uid === 'string') {
    return { kind: 'contract', provider: v.provider, uid: v.uid };
  }
  if (v.kind === 'consent' && typeof v.id === 'string') return { kind: 'consent', id: v.id };
  if (v.kind === 'subscription' && typeof v.relayHash === 'string') return { kind: 'subscription', relayHash: v.relayHash };
  if (v.kind === 'trusted-issuer' && typeof v.did === 'string') return { kind: 'trusted-issuer', did: v.did };
  return undefined;
}

/** Calls every listener; one that throws is reported and does not keep the event from the others. */
export async function tellListeners(
  listeners: Iterable<ChangeListener>,
  call: (l: ChangeListener) => void | Promise<void>,
  onError: (err: unknown) => void,
): Promise<void> {
  await Promise.all([...listeners].map(async (l) => {
    try {
      await call(l);
    } catch (err) {
      onError(err);
    }
  }));
}

/**
 * Tells the other gateways of a change their store just committed. A feed that cannot send
 * reports it itself (and /ready says so); the change stands either way, and what the others
 * keep is read again once they hear of it or resync.
 */
export function announceCommitted(feed: Pick<ChangeFeed, 'publish'> | undefined, event: ChangeEvent): void {
  feed?.publish(event).catch(() => undefined);
}
