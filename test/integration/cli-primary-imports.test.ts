/**
 * What the `mimtrust start` module loads before it knows whether this process serves:
 * the primary of a cluster only supervises its workers, so the application (the HTTP
 * server, the gateway's request path, the issuer, credentials and their libraries) must
 * not be among the modules it loads. Every module resolved while the built command's
 * start module is imported is recorded by a loader hook. Needs `npm run build`.
 */
import { execFileSync } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { describe, expect, it } from 'vitest';
import { REPO } from '../helpers/harness.js';
import { makeTempDir } from '../helpers/temp-dir.js';

/** Packages and folders of the application a primary has no use for. */
const NOT_IN_PRIMARY = [
  '/node_modules/fastify/', '/node_modules/undici/', '/node_modules/oidc-provider/', '/node_modules/jsonld/',
  '/node_modules/@digitalbazaar/', '/node_modules/@peculiar/x509/', '/node_modules/@fastify/swagger/',
  '/dist/gateway/index.js', '/dist/app/start.js', '/dist/app/server.js', '/dist/issuer/plugin.js', '/dist/credentials/index.js', '/dist/credentials/credentials.js',
  '/dist/consent/', '/dist/admin/', '/dist/wallet/', '/dist/console/', '/dist/pdp/', '/dist/subscriptions/',
];

function modulesLoadedBy(entry: string): string[] {
  const dir = makeTempDir('imports');
  const list = join(dir, 'resolved.txt');
  writeFileSync(join(dir, 'hooks.mjs'), `import { appendFileSync } from 'node:fs';
export async function resolve(specifier, context, next) {
  const r = await next(specifier, context);
  appendFileSync(${JSON.stringify(list)}, r.url + '\\n');
  return r;
}
`);
  writeFileSync(join(dir, 'register.mjs'), `import { register } from 'node:module';\nregister(${JSON.stringify(pathToFileURL(join(dir, 'hooks.mjs')).href)});\n`);
  writeFileSync(list, '');
  execFileSync(process.execPath, ['--import', pathToFileURL(join(dir, 'register.mjs')).href, '--input-type=module', '-e', `await import(${JSON.stringify(pathToFileURL(entry).href)});`], { stdio: ['ignore', 'ignore', 'inherit'] });
  return readFileSync(list, 'utf8').split('\n').filter((l) => l !== '');
}

describe('mimtrust start before a process knows it serves', () => {
  it('loads the supervising parts and none of the application', () => {
    const loaded = modulesLoadedBy(join(REPO, 'dist', 'cli', 'start.js'));
    // The hook sees the module graph: the supervising parts are in it.
    expect(loaded.some((u) => u.endsWith('/dist/app/cluster.js'))).toBe(true);
    expect(loaded.some((u) => u.endsWith('/dist/observe/logger.js'))).toBe(true);
    for (const part of NOT_IN_PRIMARY) expect(loaded.filter((u) => u.includes(part)), part).toEqual([]);
  });

  it('would load the application when imported whole (the check sees what it looks for)', () => {
    const loaded = modulesLoadedBy(join(REPO, 'dist', 'app', 'index.js'));
    for (const part of ['/node_modules/fastify/', '/node_modules/undici/', '/dist/gateway/index.js', '/dist/app/start.js']) {
      expect(loaded.some((u) => u.includes(part)), part).toBe(true);
    }
  });
});
