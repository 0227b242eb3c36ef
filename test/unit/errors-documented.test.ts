/**
 * docs/errors.md is the list a client programs against: every error code with its status
 * and `type`, and every refusal reason the source can give. A code or reason added without
 * a line there fails here.
 */
import { describe, it, expect } from 'vitest';
import { readFileSync, readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { PROBLEMS, problemTypeUri } from '../../src/errors/index.js';
import { REPO } from '../helpers/harness.js';

const DOC = readFileSync(join(REPO, 'docs', 'errors.md'), 'utf8');

function sources(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const p = join(dir, name);
    return statSync(p).isDirectory() ? sources(p) : p.endsWith('.ts') ? [p] : [];
  });
}

/** Reason codes written in the source: `reason: 'x'`, and the keys of the reason tables. */
function reasonsInSource(): Set<string> {
  const out = new Set<string>();
  for (const file of sources(join(REPO, 'src'))) {
    const text = readFileSync(file, 'utf8');
    for (const m of text.matchAll(/reason: '([a-z_]+)'/g)) out.add(m[1]!);
    for (const m of text.matchAll(/deny\([^,]+, '([a-z_]+)'/g)) out.add(m[1]!);
    const tables = text.matchAll(/const (?:DETAIL|DESCRIPTIONS)[^=]*= \{([\s\S]*?)\n\}/g);
    for (const t of tables) for (const k of t[1]!.matchAll(/^\s+([a-z_]+): '/gm)) out.add(k[1]!);
  }
  return out;
}

describe('docs/errors.md', () => {
  it('lists every error code with its status and type', () => {
    for (const [code, spec] of Object.entries(PROBLEMS)) {
      expect(DOC, code).toContain(`| \`${code}\` | ${spec.status} | \`${problemTypeUri(spec)}\` |`);
    }
  });

  it('lists every code that stops a start or a command', () => {
    const codes = new Set<string>();
    for (const folder of ['app', 'cli', 'config', 'store']) {
      for (const file of sources(join(REPO, 'src', folder))) {
        const text = readFileSync(file, 'utf8');
        for (const m of text.matchAll(/(?:readonly code = |CodedError<|\| )'(ERR_[A-Z_]+)'/g)) codes.add(m[1]!);
      }
    }
    expect([...codes]).toContain('ERR_STORE_LOCKED');
    expect([...codes].filter((c) => !DOC.includes(`| \`${c}\` |`))).toEqual([]);
  });

  it('lists every refusal reason the source can give', () => {
    const reasons = reasonsInSource();
    expect(reasons.size).toBeGreaterThan(60);
    const missing = [...reasons].filter((r) => !DOC.includes(`\`${r}\``));
    expect(missing).toEqual([]);
  });
});
