import { describe, it, expect, afterEach } from 'vitest';
import { createServer, type Server } from 'node:http';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { generateKeyPairSync } from 'node:crypto';
import { AnchorFile, readAnchorFile, WitnessClient, signCheckpoint, toAuditSigningKey, type AuditCheckpoint } from '../../src/audit/index.js';
import { checkCadence } from '../../src/audit/verify-anchors.js';
import { normalizeAuditEvent } from '../../src/audit/event.js';

const key = toAuditSigningKey(generateKeyPairSync('ed25519').privateKey);
const cp = (seq: number): AuditCheckpoint => signCheckpoint(key, seq, String(seq).padStart(64, '0'), '2026-01-01T00:00:00.000Z');
const dirs: string[] = [];
const servers: Server[] = [];
afterEach(async () => {
  for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
  for (const s of servers.splice(0)) await new Promise((r) => { s.closeAllConnections(); s.close(r); });
});

function tempFile(): string {
  const d = mkdtempSync(join(tmpdir(), 'mimtrust-anchors-'));
  dirs.push(d);
  return join(d, 'sub', 'anchors.jsonl');
}

describe('checkpoint cadence', () => {
  it('holds when no run is longer than the cadence and the tail is shorter', () => {
    expect(checkCadence([5, 10], 14, 5)).toBeUndefined();
    expect(checkCadence([3, 5, 10, 12], 12, 5)).toBeUndefined();
    expect(checkCadence([], 4, 5)).toBeUndefined();
  });

  it('names the run without a checkpoint, the unsigned tail, and a log without any', () => {
    expect(checkCadence([5, 11], 12, 5)?.detail).toMatch(/records 6 to 11 \(6\)/);
    expect(checkCadence([5], 10, 5)?.detail).toMatch(/the 5 records after record 5 have no signed checkpoint/);
    expect(checkCadence([], 5, 5)?.detail).toMatch(/5 records and no signed checkpoint/);
  });
});

describe('anchor file', () => {
  it('appends checkpoints in order, one line each, and reads them back', async () => {
    const path = tempFile();
    const errors: unknown[] = [];
    const file = new AnchorFile(path, (e) => errors.push(e));
    void file.append(cp(5));
    await file.append(cp(10));
    await file.close();
    expect(readAnchorFile(path)).toEqual({ path, anchors: [cp(5), cp(10)] });
    expect(errors).toEqual([]);
  });

  it('reports a missing file, ignores a torn last line, names any other bad line', () => {
    const path = tempFile();
    expect(readAnchorFile(path)).toEqual({ path, missing: true });
    const a = JSON.stringify(cp(5));
    writeFileSync(join(path, '..', '..', 'torn.jsonl'), `${a}\n{"seq":1`);
    expect(readAnchorFile(join(path, '..', '..', 'torn.jsonl'))).toMatchObject({ anchors: [cp(5)] });
    writeFileSync(join(path, '..', '..', 'bad.jsonl'), `${a}\nnot json\n${a}\n`);
    expect(readAnchorFile(join(path, '..', '..', 'bad.jsonl'))).toMatchObject({ badLine: 2 });
  });
});

describe('witness', () => {
  async function witnessServer(failFirst: number, received: AuditCheckpoint[], onReceive: () => void): Promise<string> {
    let calls = 0;
    const server = createServer((req, res) => {
      let body = '';
      req.on('data', (c) => { body += c; });
      req.on('end', () => {
        calls++;
        if (calls <= failFirst) return res.writeHead(503).end();
        received.push(JSON.parse(body) as AuditCheckpoint);
        res.writeHead(201).end();
        onReceive();
      });
    });
    servers.push(server);
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    return `http://127.0.0.1:${(server.address() as { port: number }).port}/`;
  }

  it('retries until the witness takes each checkpoint, in order, logging the failures', async () => {
    const received: AuditCheckpoint[] = [];
    let done!: () => void;
    const both = new Promise<void>((r) => { done = r; });
    const url = await witnessServer(2, received, () => { if (received.length === 2) done(); });
    const errors: string[] = [];
    const w = new WitnessClient({ url, timeoutMs: 2000, maxQueue: 10, retryBaseMs: 1, retryMaxMs: 4, onError: (_e, m) => errors.push(m) });
    w.send(cp(5));
    w.send(cp(10));
    await both;
    expect(received).toEqual([cp(5), cp(10)]);
    expect(errors).toHaveLength(2);
    expect(errors[0]).toMatch(/record 5 \(attempt 1\)/);
    await w.close();
    expect(w.pending).toBe(0);
  });

  it('keeps at most maxQueue checkpoints, dropping the oldest, and stops on close', async () => {
    const errors: string[] = [];
    const url = await witnessServer(Number.POSITIVE_INFINITY, [], () => undefined);
    const w = new WitnessClient({ url, timeoutMs: 500, maxQueue: 2, retryBaseMs: 60_000, retryMaxMs: 60_000, onError: (_e, m) => errors.push(m) });
    for (const seq of [1, 2, 3, 4]) w.send(cp(seq));
    expect(w.pending).toBe(2);
    expect(errors.some((m) => /queue full: checkpoints up to record 2 not sent/.test(m))).toBe(true);
    await w.close();
  });
});

describe('bounded records', () => {
  const event = (entityIds: string[]) => ({
    time: '2026-01-01T00:00:00.000Z', decisionId: 'd', requestId: 'r', operation: 'batch.delete', action: 'delete',
    targets: { entityIds, types: [], attrs: [] }, effect: 'deny' as const, reason: 'role_denied', latencyMs: 1, method: 'POST', path: '/x',
  });

  it('leaves a small record as it is', () => {
    expect(normalizeAuditEvent(event(['a', 'b']), 4).targets).toEqual({ entityIds: ['a', 'b'], types: [], attrs: [] });
  });

  it('cuts long names without splitting a surrogate pair', () => {
    const name = 'x'.repeat(511) + '😀';
    const t = normalizeAuditEvent(event([name]), 4).targets;
    expect(t.entityIds[0]).toBe('x'.repeat(511));
    expect(t.counts).toEqual({ entityIds: 1, types: 0, attrs: 0 });
    expect(t.digest).toMatch(/^[0-9a-f]{64}$/);
  });
});
