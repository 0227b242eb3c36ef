export interface RecordedRequest {
  method: string;
  url: string;
  headers: Record<string, string | string[] | undefined>;
  body: string;
}
export interface SentNotification {
  subscriptionId: string;
  uri: string;
  payload: { id: string; type: 'Notification'; subscriptionId: string; notifiedAt: string; data: unknown[] };
  status: number;
}
export interface MiniBroker {
  url: string;
  port: number;
  requests: RecordedRequest[];
  notifications: SentNotification[];
  trust(ca: string): void;
  subscription(id: string, tenant?: string): Record<string, any> | undefined;
  notify(id: string, data: unknown[], tenant?: string): Promise<number>;
  setDelay(ms: number): void;
  /** Answer requests the function picks with this status, body and headers instead (undefined: answer normally). */
  setFault(fault: ((req: { method?: string; url?: string }) => { status: number; body?: string; headers?: Record<string, string> } | undefined) | undefined): void;
  /** A copy of the entity as held now. */
  entity(id: string, tenant?: string): Record<string, unknown> | undefined;
  seed(entity: Record<string, unknown>, tenant?: string): void;
  /** The times (observedAt) at which temporal answers show each attribute, as it is now. */
  history(times: readonly string[]): void;
  close(): Promise<void>;
}
export function startMiniBroker(options?: { port?: number; record?: boolean; delayMs?: number }): Promise<MiniBroker>;
