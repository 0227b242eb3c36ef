/** The benchmark runs the compiled gateway; make sure it exists and say when src/ has moved on. */
import { existsSync, readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';

function newestMtime(dir, suffix) {
  let newest = 0;
  for (const entry of readdirSync(dir, { withFileTypes: true, recursive: true })) {
    if (entry.isFile() && entry.name.endsWith(suffix)) newest = Math.max(newest, statSync(join(entry.parentPath ?? entry.path, entry.name)).mtimeMs);
  }
  return newest;
}

/** Throws when dist/ is missing; returns a warning (or undefined) when src/ is newer. */
export function checkBuild(repo) {
  if (!existsSync(join(repo, 'dist', 'gateway', 'index.js'))) {
    throw new Error('dist/ is missing: run `npm run build` before the benchmark');
  }
  if (newestMtime(join(repo, 'src'), '.ts') > newestMtime(join(repo, 'dist'), '.js')) {
    return 'warning: src/ has changes newer than dist/; run `npm run build` to benchmark the current code';
  }
  return undefined;
}
