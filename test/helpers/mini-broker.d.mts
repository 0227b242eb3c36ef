export interface RecordedRequest {
  method: string;
  url: string;
  headers: Record<string, string | string[] | undefined>;
  body: string;
}
export interface MiniBroker {
  url: string;
  port: number;
  requests: RecordedRequest[];
  setDelay(ms: number): void;
  seed(entity: Record<string, unknown>, tenant?: string): void;
  close(): Promise<void>;
}
export function startMiniBroker(options?: { port?: number; record?: boolean; delayMs?: number }): Promise<MiniBroker>;
