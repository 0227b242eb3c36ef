import { afterEach, describe, expect, it } from 'vitest';
import { existsSync, mkdirSync, renameSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { watchFolder } from '../../src/lib/index.js';
import { makeTempDir } from '../helpers/temp-dir.js';

/**
 * Watches `dir` for real; `seen(file)` resolves at the first change report after which
 * `file` exists (read through the watched name), so a report caused by an earlier step
 * cannot be mistaken for the one under test.
 */
function observe(dir: string): { seen: (file: string) => Promise<void>; stop: () => void; errors: unknown[] } {
  const waiting: Array<{ file: string; resolve: () => void }> = [];
  const errors: unknown[] = [];
  const stop = watchFolder(dir, async () => {
    for (const w of [...waiting]) {
      if (existsSync(join(dir, w.file))) {
        waiting.splice(waiting.indexOf(w), 1);
        w.resolve();
      }
    }
  }, (err) => errors.push(err), 20);
  return { seen: (file) => new Promise((resolve) => waiting.push({ file, resolve })), stop, errors };
}

let stop: (() => void) | undefined;
afterEach(() => stop?.());

describe('watchFolder', () => {
  it('keeps reporting after the folder is replaced by another one', async () => {
    const root = makeTempDir('watch');
    const dir = join(root, 'contracts');
    mkdirSync(dir);
    const w = observe(dir);
    stop = w.stop;
    let seen = w.seen('a.json');
    writeFileSync(join(dir, 'a.json'), '{}');
    await seen;

    mkdirSync(join(root, 'next'));
    writeFileSync(join(root, 'next', 'b.json'), '{}');
    seen = w.seen('b.json');
    renameSync(dir, join(root, 'old'));
    renameSync(join(root, 'next'), dir);
    await seen;

    // The watch follows the new folder: a change inside it is reported.
    seen = w.seen('c.json');
    writeFileSync(join(dir, 'c.json'), '{}');
    await seen;
    // ...and not the old one any more (nothing to see there; only no error).
    writeFileSync(join(root, 'old', 'stale.json'), '{}');
    expect(w.errors).toEqual([]);
  });

  it('keeps reporting after the folder is removed and made again', async () => {
    const root = makeTempDir('watch');
    const dir = join(root, 'policies');
    mkdirSync(dir);
    const w = observe(dir);
    stop = w.stop;
    let seen = w.seen('.');
    rmSync(dir, { recursive: true });
    mkdirSync(dir);
    // The removal and the new folder are reported first; then a change inside the new one.
    await seen;
    seen = w.seen('roles.csv');
    writeFileSync(join(dir, 'roles.csv'), 'p, viewer, *, read\n');
    await seen;
  });

  it('starts watching a folder that does not exist yet once it appears', async () => {
    const root = makeTempDir('watch');
    const dir = join(root, 'later');
    const w = observe(dir);
    stop = w.stop;
    mkdirSync(dir);
    let seen = w.seen('x.json');
    writeFileSync(join(dir, 'x.json'), '{}');
    await seen;
    seen = w.seen('y.json');
    writeFileSync(join(dir, 'y.json'), '{}');
    await seen;
  });

  it('follows a ConfigMap-style ..data link swap inside the folder', async () => {
    const dir = makeTempDir('configmap');
    mkdirSync(join(dir, '..2026_01_01_v1'));
    writeFileSync(join(dir, '..2026_01_01_v1', 'a.json'), '{}');
    symlinkSync('..2026_01_01_v1', join(dir, '..data'));
    symlinkSync('..data/a.json', join(dir, 'a.json'));
    const w = observe(dir);
    stop = w.stop;
    // The way kubelet updates a ConfigMap volume: a new timestamped folder, a new link
    // renamed over ..data, then links for new keys.
    mkdirSync(join(dir, '..2026_01_02_v2'));
    writeFileSync(join(dir, '..2026_01_02_v2', 'a.json'), '{"v":2}');
    writeFileSync(join(dir, '..2026_01_02_v2', 'b.json'), '{}');
    symlinkSync('..2026_01_02_v2', join(dir, '..data_tmp'));
    let seen = w.seen('b.json');
    renameSync(join(dir, '..data_tmp'), join(dir, '..data'));
    symlinkSync('..data/b.json', join(dir, 'b.json'));
    await seen;
    rmSync(join(dir, '..2026_01_01_v1'), { recursive: true });
    seen = w.seen('c.json');
    writeFileSync(join(dir, 'c.json'), '{}');
    await seen;
  });

  it('follows a folder that is a symlink swapped to another release', async () => {
    const root = makeTempDir('watch');
    mkdirSync(join(root, 'release-1'));
    mkdirSync(join(root, 'release-2'));
    const dir = join(root, 'contracts');
    symlinkSync('release-1', dir);
    const w = observe(dir);
    stop = w.stop;
    writeFileSync(join(root, 'release-2', 'r2.json'), '{}');
    let seen = w.seen('r2.json');
    symlinkSync('release-2', join(root, 'contracts.tmp'));
    renameSync(join(root, 'contracts.tmp'), dir);
    await seen;
    seen = w.seen('r2b.json');
    writeFileSync(join(root, 'release-2', 'r2b.json'), '{}');
    await seen;
  });
});
