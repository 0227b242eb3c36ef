/**
 * The pipeline runs its stages in order, whether a stage answers at once or with a
 * promise, and stops at the first that fails (synchronously or not).
 */
import { describe, it, expect } from 'vitest';
import { pipeline } from '../../src/gateway/index.js';

describe('pipeline', () => {
  it('hands each stage what the one before produced, sync and async alike', async () => {
    const seen: string[] = [];
    const p = pipeline<number>()
      .then('double', (n) => { seen.push('double'); return n * 2; })
      .then('later', async (n) => { seen.push('later'); await new Promise((r) => setImmediate(r)); return n + 1; })
      .then('text', (n) => { seen.push('text'); return `#${n}`; });
    expect(p.names).toEqual(['double', 'later', 'text']);
    expect(await p.run(20)).toBe('#41');
    expect(seen).toEqual(['double', 'later', 'text']);
  });

  it('rejects at the first failing stage and runs none after it', async () => {
    for (const fail of [() => { throw new Error('sync'); }, async () => { throw new Error('async'); }]) {
      let after = 0;
      const p = pipeline<number>().then('fail', fail).then('after', () => { after++; return 0; });
      await expect(p.run(1)).rejects.toThrow(/sync/);
      expect(after).toBe(0);
    }
  });

  it('always answers with a promise, even when every stage is synchronous', () => {
    const thrown = pipeline<number>().then('fail', () => { throw new Error('x'); }).run(1);
    expect(thrown).toBeInstanceOf(Promise);
    return expect(thrown).rejects.toThrow('x');
  });
});
