/**
 * The change feed between workers on SQLite: what a cluster message may carry, the
 * primary's relay (to every other connected worker, never back), and the worker's feed on
 * a real IPC channel (a forked process standing as the primary): events heard, its own
 * announcements sent, and a closed channel making it not live, /ready's check fail and
 * its listeners read everything again. Also the names of worker segments and their anchor
 * files, and which anchor file `audit verify` holds each segment to.
 */
import { fork, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import { describe, expect, it } from 'vitest';
import { ClusterChangeFeed, parseChangeMessage, relayChange, type ChangeEvent, type ChangeMessage, type WorkerChannel } from '../../src/changes/index.js';
import { workerOfSegment, workerSegment } from '../../src/app/worker-segment.js';
import { workerAnchorFile } from '../../src/audit/index.js';
import { anchorFileOf } from '../../src/cli/audit-verify.js';

const contract: ChangeEvent = { kind: 'contract', provider: null, uid: 'urn:c:1' };

describe('parseChangeMessage', () => {
  it('takes the feed\'s messages only, with a well-formed event', () => {
    expect(parseChangeMessage({ mimtrust: 'change', event: contract })).toEqual(contract);
    expect(parseChangeMessage({ mimtrust: 'change', event: { kind: 'consent', id: 'c1' } })).toEqual({ kind: 'consent', id: 'c1' });
    expect(parseChangeMessage({ mimtrust: 'count', id: 1, keys: [] })).toBeUndefined();
    expect(parseChangeMessage({ mimtrust: 'change', event: { kind: 'consent', id: 7 } })).toBeUndefined();
    expect(parseChangeMessage({ mimtrust: 'change', event: { kind: 'drop-everything' } })).toBeUndefined();
    expect(parseChangeMessage(null)).toBeUndefined();
    expect(parseChangeMessage('change')).toBeUndefined();
  });
});

describe('relayChange', () => {
  const worker = (id: number, connected = true): WorkerChannel & { got: ChangeMessage[] } => {
    const got: ChangeMessage[] = [];
    return { id, got, isConnected: () => connected, send: (m) => { got.push(m); return true; } };
  };

  it('sends a worker\'s change to every other connected worker, rebuilt from what was parsed', () => {
    const [a, b, c, gone] = [worker(1), worker(2), worker(3), worker(4, false)];
    const sent = relayChange(a, { mimtrust: 'change', event: { ...contract, extra: 'dropped' } }, [a, b, c, gone]);
    expect(sent).toBe(2);
    expect(a.got).toEqual([]);
    expect(gone.got).toEqual([]);
    expect(b.got).toEqual([{ mimtrust: 'change', event: contract }]);
    expect(c.got).toEqual([{ mimtrust: 'change', event: contract }]);
  });

  it('relays nothing that is not a change', () => {
    const [a, b] = [worker(1), worker(2)];
    expect(relayChange(a, { mimtrust: 'change', event: { kind: 'consent' } }, [a, b])).toBe(0);
    expect(relayChange(a, { mimtrust: 'ready', url: 'x' }, [a, b])).toBe(0);
    expect(b.got).toEqual([]);
  });
});

/** A process standing as the primary: it answers each change it is sent with another worker's change. */
function primary(): ChildProcess {
  return fork('-e', [`
    process.on('message', (m) => {
      if (m && m.mimtrust === 'change') process.send({ mimtrust: 'change', event: { kind: 'consent', id: 'heard-after-' + m.event.uid } });
      if (m === 'close') process.disconnect();
    });
  `], { execArgv: [], stdio: ['ignore', 'inherit', 'inherit', 'ipc'] });
}

describe('ClusterChangeFeed on a real IPC channel', () => {
  it('sends its announcements, tells listeners what others changed, and is down once the channel closes', async () => {
    const child = primary();
    const errors: unknown[] = [];
    let downs = 0;
    const feed = new ClusterChangeFeed(child, { onDown: () => { downs += 1; }, onError: (e) => errors.push(e) });
    const heard: ChangeEvent[] = [];
    let resyncs = 0;
    feed.subscribe({ change: (e) => { heard.push(e); }, resync: () => { resyncs += 1; } });
    try {
      expect(feed.live).toBe(true);
      expect(() => feed.check()).not.toThrow();
      await feed.publish(contract);
      await new Promise((r) => setTimeout(r, 10));
      for (let i = 0; i < 100 && heard.length === 0; i++) await new Promise((r) => setTimeout(r, 20));
      expect(heard).toEqual([{ kind: 'consent', id: 'heard-after-urn:c:1' }]);

      child.send('close');
      await once(child, 'disconnect');
      expect(feed.live).toBe(false);
      expect(() => feed.check()).toThrow(/channel to the primary is closed/);
      expect(downs).toBe(1);
      expect(resyncs).toBe(1);
      await expect(feed.publish(contract)).rejects.toThrow(/not relayed/);
      expect(errors).toHaveLength(1);
    } finally {
      await feed.close();
      if (child.exitCode === null) child.kill();
    }
  });
});

describe('worker segments and their anchor files', () => {
  it('names a worker\'s segment by its instance and slot, and reads the slot back from it only', () => {
    expect(workerSegment('i-abc', 3)).toBe('i-abc.w3');
    expect(workerOfSegment('i-abc', 'i-abc.w3')).toBe(3);
    expect(workerOfSegment('i-abc', 'i-abc.w0')).toBe(0);
    expect(workerOfSegment('i-abc', 'i-abd.w3')).toBeUndefined();
    expect(workerOfSegment('i-abc', 'i-abc')).toBeUndefined();
    expect(workerOfSegment('i-abc', 'i-abc.w03')).toBeUndefined();
    expect(workerOfSegment('i-abc', 'i-abc.wx')).toBeUndefined();
    expect(workerOfSegment('i-abc', '')).toBeUndefined();
  });

  it('puts a worker\'s anchor file beside the configured one', () => {
    expect(workerAnchorFile('/data/audit-anchors.jsonl', 1)).toBe('/data/audit-anchors.w1.jsonl');
    expect(workerAnchorFile('/data/anchors', 0)).toBe('/data/anchors.w0');
    expect(workerAnchorFile('/data.d/anchors', 2)).toBe('/data.d/anchors.w2');
    expect(workerAnchorFile('/data/.anchors', 2)).toBe('/data/.anchors.w2');
  });

  it('holds each segment to the anchor file its writer keeps here, and none to another instance\'s', () => {
    const file = '/data/audit-anchors.jsonl';
    expect(anchorFileOf(file, '', 'i-1')).toBe(file);
    expect(anchorFileOf(file, '', undefined)).toBe(file);
    expect(anchorFileOf(file, 'i-1', 'i-1')).toBe(file);
    expect(anchorFileOf(file, 'i-1.w4', 'i-1')).toBe('/data/audit-anchors.w4.jsonl');
    expect(anchorFileOf(file, 'i-2.w4', 'i-1')).toBeNull();
    expect(anchorFileOf(file, 'i-2', 'i-1')).toBeNull();
    expect(anchorFileOf(file, 'i-1.w4', undefined)).toBeNull();
    expect(anchorFileOf(null, '', 'i-1')).toBeNull();
  });
});
