/**
 * Pinned contexts: a remote @context URL answered from a local file is never fetched,
 * needs no allow-list entry and expands names exactly as the file says; a URL that is
 * neither pinned nor allowed is still refused; a broken pinned file stops the start with
 * a message naming the key and the file, never its content.
 */
import { describe, it, expect } from 'vitest';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { createContextResolver, loadPinnedContexts } from '../../src/context/index.js';
import { ConfigError } from '../../src/config/index.js';
import { makeTempDir } from '../helpers/temp-dir.js';

const SDM = 'https://raw.githubusercontent.com/smart-data-models/dataModel.Streetlighting/master/context.jsonld';
const STREETLIGHT_CONTEXT = {
  '@context': { Streetlight: 'https://smartdatamodels.org/dataModel.Streetlighting/Streetlight', powerState: 'https://smartdatamodels.org/dataModel.Streetlighting/powerState' },
};

function pinnedFile(doc: unknown, raw?: string): string {
  const dir = makeTempDir('pinned');
  const path = join(dir, 'context.jsonld');
  writeFileSync(path, raw ?? JSON.stringify(doc));
  return path;
}

function resolverWith(pinned: Record<string, string>, allowList: string[] = []) {
  let fetches = 0;
  const resolver = createContextResolver({
    allowList, maxEntries: 16, maxAgeMs: 60_000, maxBytes: 65536, fetchTimeoutMs: 500,
    pinned: loadPinnedContexts(pinned, 65536),
    fetch: () => { fetches++; return Promise.reject(new Error('no network in this test')); },
  });
  return { resolver, fetches: () => fetches };
}

describe('pinned contexts', () => {
  it('expand names from the local copy without fetching and without an allow-list entry', async () => {
    const { resolver, fetches } = resolverWith({ [SDM]: pinnedFile(STREETLIGHT_CONTEXT) });
    const active = await resolver.resolve(SDM);
    expect(active.expandTerm('Streetlight')).toBe('https://smartdatamodels.org/dataModel.Streetlighting/Streetlight');
    expect(active.expandTerm('powerState')).toBe('https://smartdatamodels.org/dataModel.Streetlighting/powerState');
    // Nested inside a caller's array context too.
    const nested = await resolver.resolve([SDM, { extra: 'https://example.org/extra' }]);
    expect(nested.expandTerm('powerState')).toBe('https://smartdatamodels.org/dataModel.Streetlighting/powerState');
    expect(fetches()).toBe(0);
  });

  it('are matched on the normalised URL (a #fragment names the same document)', async () => {
    const { resolver, fetches } = resolverWith({ [SDM]: pinnedFile(STREETLIGHT_CONTEXT) });
    const active = await resolver.resolve(`${SDM}#v1`);
    expect(active.expandTerm('Streetlight')).toBe('https://smartdatamodels.org/dataModel.Streetlighting/Streetlight');
    expect(fetches()).toBe(0);
  });

  it('do not open any other URL: a neighbour of a pinned URL is refused as before', async () => {
    const { resolver, fetches } = resolverWith({ [SDM]: pinnedFile(STREETLIGHT_CONTEXT) });
    await expect(resolver.resolve(SDM.replace('Streetlighting', 'Parking'))).rejects.toMatchObject({ reason: 'context_not_allowed' });
    await expect(resolver.resolve(`${SDM}?x=1`)).rejects.toMatchObject({ reason: 'context_not_allowed' });
    expect(fetches()).toBe(0);
  });

  it('refuse at load a file that is missing, not JSON, or not a context document, naming key and position only', () => {
    const missing = join(makeTempDir('pinned'), 'nope.jsonld');
    expect(() => loadPinnedContexts({ [SDM]: missing }, 65536)).toThrow(ConfigError);
    expect(() => loadPinnedContexts({ [SDM]: missing }, 65536)).toThrow(/contexts\.pinned\["https:\/\/raw\.githubusercontent\.com.*cannot read .*ENOENT/);

    const secret = 'root:x:0:0:secret';
    const bad = pinnedFile(undefined, `{\n  "@context": { "a": "${secret}" \n`);
    let message = '';
    try { loadPinnedContexts({ [SDM]: bad }, 65536); } catch (err) { message = (err as Error).message; }
    expect(message).toMatch(/is not valid JSON \(line 3, column 1\)/);
    expect(message).not.toContain(secret);

    expect(() => loadPinnedContexts({ [SDM]: pinnedFile({ hello: 'world' }) }, 65536)).toThrow(/has no @context member/);
    expect(() => loadPinnedContexts({ [SDM]: pinnedFile(STREETLIGHT_CONTEXT) }, 16)).toThrow(/larger than contexts\.maxBytes/);
    expect(() => loadPinnedContexts({ 'file:///etc/passwd': pinnedFile(STREETLIGHT_CONTEXT) }, 65536)).toThrow(/must be an http\(s\) URL/);
  });
});
