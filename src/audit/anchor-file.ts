/**
 * Signed checkpoints copied outside the database, one JSON line each, appended and
 * fsynced. Someone who can rewrite the database (cut its tail, delete its checkpoints,
 * re-chain it) cannot make it agree with this file again without also holding the file;
 * keeping it elsewhere (another disk, append-only storage) is the operator's choice.
 */
import { mkdirSync, readFileSync } from 'node:fs';
import { open, type FileHandle } from 'node:fs/promises';
import { dirname } from 'node:path';
import type { AuditCheckpoint } from './types.js';

export const DEFAULT_ANCHOR_FILE_NAME = 'audit-anchors.jsonl';

/**
 * The anchor file of a worker's audit segment, beside the configured one: each segment is
 * a chain of its own, so its checkpoints are anchored apart (`audit-anchors.jsonl` ->
 * `audit-anchors.w1.jsonl`).
 */
export function workerAnchorFile(path: string, slot: number): string {
  const dot = path.lastIndexOf('.');
  const slash = Math.max(path.lastIndexOf('/'), path.lastIndexOf('\\'));
  return dot > slash + 1 ? `${path.slice(0, dot)}.w${slot}${path.slice(dot)}` : `${path}.w${slot}`;
}

export class AnchorFile {
  private handle: Promise<FileHandle> | undefined;
  /** Appends run one after another, so lines are in checkpoint order. */
  private chain: Promise<void> = Promise.resolve();

  constructor(readonly path: string, private readonly onError: (err: unknown) => void) {}

  /** Queues one checkpoint; resolves once its line is on disk (failures go to onError). */
  append(cp: AuditCheckpoint): Promise<void> {
    const line = JSON.stringify({ seq: cp.seq, hash: cp.hash, time: cp.time, kid: cp.kid, signature: cp.signature }) + '\n';
    this.chain = this.chain.then(async () => {
      try {
        const fh = await this.file();
        await fh.appendFile(line, 'utf8');
        await fh.datasync();
      } catch (err) {
        this.onError(err);
      }
    });
    return this.chain;
  }

  private file(): Promise<FileHandle> {
    if (this.handle === undefined) {
      mkdirSync(dirname(this.path), { recursive: true });
      this.handle = open(this.path, 'a', 0o644);
      // A failed open is retried with the next checkpoint.
      this.handle.catch(() => { this.handle = undefined; });
    }
    return this.handle;
  }

  /** Waits for queued appends, then closes the file. */
  async close(): Promise<void> {
    await this.chain;
    const handle = this.handle;
    this.handle = undefined;
    if (handle) await (await handle.catch(() => undefined))?.close();
  }
}

export type AnchorRead =
  | { path: string; missing: true }
  | { path: string; missing?: false; anchors: AuditCheckpoint[]; badLine?: number };

function asCheckpoint(value: unknown): AuditCheckpoint | undefined {
  if (typeof value !== 'object' || value === null) return undefined;
  const v = value as Record<string, unknown>;
  if (!Number.isSafeInteger(v.seq) || typeof v.hash !== 'string' || typeof v.time !== 'string' || typeof v.kid !== 'string' || typeof v.signature !== 'string') return undefined;
  return { seq: v.seq as number, hash: v.hash, time: v.time, kid: v.kid, signature: v.signature };
}

/**
 * Reads the anchor file. A last line cut short (a crash during the append) is ignored;
 * any other line that is not a checkpoint is reported by its number.
 */
export function readAnchorFile(path: string): AnchorRead {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return { path, missing: true };
    throw err;
  }
  const lines = text.split('\n');
  const anchors: AuditCheckpoint[] = [];
  for (let i = 0; i < lines.length; i++) {
    const line = lines[i] as string;
    if (line === '') continue;
    let cp: AuditCheckpoint | undefined;
    try {
      cp = asCheckpoint(JSON.parse(line));
    } catch {
      cp = undefined;
    }
    if (cp === undefined) {
      const torn = i === lines.length - 1 && !text.endsWith('\n');
      if (torn) break;
      return { path, anchors, badLine: i + 1 };
    }
    anchors.push(cp);
  }
  return { path, anchors };
}
