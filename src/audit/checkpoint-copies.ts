/**
 * Where each durable checkpoint is copied outside the database: the anchor file and,
 * when configured, a witness URL. Plugged into AuditLog's onCheckpoint; neither copy
 * ever delays or fails a request.
 */
import { MimtrustError } from '../errors/index.js';
import { AnchorFile } from './anchor-file.js';
import { WitnessClient } from './witness.js';
import type { AuditCheckpoint } from './types.js';

export interface CheckpointCopiesOptions {
  /** Anchor file path; null for none. */
  anchorFile: string | null;
  witness: { url: string | null; timeoutMs: number; maxQueue: number; retryBaseMs?: number; retryMaxMs?: number };
  onError: (err: unknown, msg: string) => void;
}

const LOOPBACK = new Set(['127.0.0.1', 'localhost', '[::1]']);

function witnessUrl(url: string): string {
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    throw new MimtrustError('INTERNAL', 'audit.witness.url is not a URL.', { reason: 'audit_config_invalid' });
  }
  if (parsed.protocol === 'https:' || (parsed.protocol === 'http:' && LOOPBACK.has(parsed.hostname))) return parsed.href;
  throw new MimtrustError('INTERNAL', 'audit.witness.url must use https (plain http only on a loopback host).', { reason: 'audit_config_invalid' });
}

export class CheckpointCopies {
  readonly anchors: AnchorFile | undefined;
  readonly witness: WitnessClient | undefined;

  constructor(opts: CheckpointCopiesOptions) {
    if (opts.anchorFile !== null) {
      this.anchors = new AnchorFile(opts.anchorFile, (err) => opts.onError(err, `audit checkpoint not written to the anchor file ${opts.anchorFile}`));
    }
    if (opts.witness.url !== null) {
      this.witness = new WitnessClient({
        url: witnessUrl(opts.witness.url),
        timeoutMs: opts.witness.timeoutMs,
        maxQueue: opts.witness.maxQueue,
        retryBaseMs: opts.witness.retryBaseMs ?? 1000,
        retryMaxMs: opts.witness.retryMaxMs ?? 60_000,
        onError: opts.onError,
      });
    }
  }

  readonly onCheckpoint = (cp: AuditCheckpoint): void => {
    void this.anchors?.append(cp);
    this.witness?.send(cp);
  };

  async close(): Promise<void> {
    await Promise.all([this.anchors?.close(), this.witness?.close()]);
  }
}
