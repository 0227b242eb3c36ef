/**
 * The folders under src/ depend on each other without cycles, so each can be read (and
 * replaced) from its index.ts without the others leaning back on it.
 */
import { describe, it, expect } from 'vitest';
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { REPO } from '../helpers/harness.js';

const SRC = join(REPO, 'src');

function filesUnder(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const p = join(dir, name);
    return statSync(p).isDirectory() ? filesUnder(p) : p.endsWith('.ts') ? [p] : [];
  });
}

/** folder -> folders it imports from. */
function folderGraph(): Map<string, Set<string>> {
  const graph = new Map<string, Set<string>>();
  for (const folder of readdirSync(SRC).filter((f) => statSync(join(SRC, f)).isDirectory())) {
    const deps = new Set<string>();
    for (const file of filesUnder(join(SRC, folder))) {
      const depth = file.slice(SRC.length + 1).split('/').length - 1;
      for (const m of readFileSync(file, 'utf8').matchAll(/from '((?:\.\.\/)+)([a-z-]+)\//g)) {
        if (m[1]!.length / 3 === depth && m[2] !== folder) deps.add(m[2]!);
      }
    }
    graph.set(folder, deps);
  }
  return graph;
}

function cycleFrom(graph: Map<string, Set<string>>, start: string): string[] | undefined {
  const path: string[] = [];
  const seen = new Set<string>();
  const walk = (node: string): string[] | undefined => {
    for (const next of graph.get(node) ?? []) {
      if (next === start) return [...path, node, next];
      if (seen.has(next)) continue;
      seen.add(next);
      path.push(node);
      const found = walk(next);
      path.pop();
      if (found) return found;
    }
    return undefined;
  };
  return walk(start);
}

describe('source folders', () => {
  it('import each other without any cycle', () => {
    const graph = folderGraph();
    expect(graph.size).toBeGreaterThan(10);
    for (const folder of graph.keys()) expect(cycleFrom(graph, folder), folder).toBeUndefined();
  });

  it('each have an index.ts that describes the folder', () => {
    for (const folder of folderGraph().keys()) {
      const text = readFileSync(join(SRC, folder, 'index.ts'), 'utf8');
      // A shebang may come first (the command's entry point).
      expect(text.replace(/^#!.*\n/, '').trimStart().startsWith('/**'), folder).toBe(true);
    }
  });
});
