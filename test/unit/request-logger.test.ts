/**
 * The per-request logger fastify is given: made into a pino child only when a request logs
 * something, and then the same lines as fastify's own child (request id, level, credentials
 * removed).
 */
import { describe, it, expect } from 'vitest';
import Fastify, { LogController } from 'fastify';
import { createLogger } from '../../src/observe/index.js';
import { lazyRequestLogger } from '../../src/app/request-logger.js';

async function serverWith(level: 'info' | 'warn') {
  const lines: string[] = [];
  const log = createLogger({ logLevel: level, logFormat: 'json' }, { write: (l: string) => void lines.push(l) });
  let children = 0;
  // Counted on the root; children inherit the method, so it keeps its own receiver.
  const proto = Object.getPrototypeOf(log) as typeof log;
  log.child = function (this: typeof log, ...args: Parameters<typeof log.child>) { children++; return proto.child.apply(this, args); } as typeof log.child;
  const app = Fastify({ loggerInstance: log, logController: new LogController({ disableRequestLogging: true }), childLoggerFactory: lazyRequestLogger, genReqId: () => 'req-1' });
  app.get('/quiet', async () => 'ok');
  app.get('/loud', async (req) => {
    req.log.info('not at warn');
    req.log.warn({ authorization: 'Bearer top-secret', kept: 'visible' }, 'careful');
    req.log.child({ step: 'inner' }).error('inner failure');
    return req.log.level;
  });
  await app.ready();
  return { app, lines, children: () => children };
}

describe('lazy request logger', () => {
  it('makes no pino child for a request that logs nothing', async () => {
    const { app, lines, children } = await serverWith('info');
    const before = children();
    for (let i = 0; i < 5; i++) expect((await app.inject({ url: '/quiet' })).statusCode).toBe(200);
    expect(children()).toBe(before);
    expect(lines).toEqual([]);
    await app.close();
  });

  it('writes what a request logs with its request id, honours the level and removes credentials', async () => {
    const { app, lines } = await serverWith('warn');
    const res = await app.inject({ url: '/loud' });
    expect(res.body).toBe('warn');
    const records = lines.map((l) => JSON.parse(l) as Record<string, unknown>);
    expect(records).toHaveLength(2);
    expect(records[0]).toMatchObject({ level: 'warn', msg: 'careful', reqId: 'req-1', kept: 'visible' });
    expect(records[1]).toMatchObject({ level: 'error', msg: 'inner failure', reqId: 'req-1', step: 'inner' });
    expect(lines.join('')).not.toContain('top-secret');
    await app.close();
  });
});
