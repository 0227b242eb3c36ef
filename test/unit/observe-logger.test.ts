/**
 * The logger: JSON lines with an ISO time and the level by name, the configured level
 * honoured, credentials removed from whatever object is logged, and the readable form
 * for a terminal carrying the same fields.
 */
import { describe, it, expect } from 'vitest';
import { createLogger, prettyLine } from '../../src/observe/index.js';

function captured(level: 'info' | 'debug' | 'warn', logFormat: 'json' | 'pretty' = 'json') {
  const lines: string[] = [];
  const log = createLogger({ logLevel: level, logFormat }, { write: (l: string) => void lines.push(l) });
  return { log, lines };
}

describe('logger', () => {
  it('writes one JSON object per line with an ISO time and the level by name', () => {
    const { log, lines } = captured('info');
    log.info({ route: '/health' }, 'hello');
    expect(lines).toHaveLength(1);
    const record = JSON.parse(lines[0]!);
    expect(record).toMatchObject({ level: 'info', msg: 'hello', route: '/health' });
    expect(new Date(record.time).toISOString()).toBe(record.time);
  });

  it('honours the level', () => {
    const { log, lines } = captured('warn');
    log.debug('d');
    log.info('i');
    log.warn('w');
    expect(lines.map((l) => JSON.parse(l).msg)).toEqual(['w']);
  });

  it('removes credentials from any object it is given', () => {
    const { log, lines } = captured('info');
    const err = Object.assign(new Error('broker refused'), { headers: { authorization: 'Bearer err-secret' } });
    log.info({ authorization: 'Bearer top-secret', token: 'tok-secret', headers: { cookie: 'c-secret' }, request: { dpop: 'dpop-secret', cookie: 'c2-secret', password: 'pw-secret' }, kept: 'visible' }, 'm');
    log.error(err, 'failed');
    const text = lines.join('');
    for (const secret of ['top-secret', 'tok-secret', 'c-secret', 'dpop-secret', 'c2-secret', 'pw-secret', 'err-secret']) expect(text).not.toContain(secret);
    expect(text).toContain('visible');
    expect(text).toContain('broker refused');
  });

  it('writes readable lines when told to', () => {
    const { log, lines } = captured('info', 'pretty');
    log.info({ status: 403, route: '/ngsi-ld/v1/entities/{entityId}' }, 'GET /ngsi-ld/v1/entities/{entityId} 403');
    expect(lines[0]).toMatch(/^\d\d:\d\d:\d\d\.\d{3} INFO {2}GET \/ngsi-ld\/v1\/entities\/\{entityId\} 403 status=403 route=\/ngsi-ld\/v1\/entities\/\{entityId\}\n$/);
  });
});

describe('readable line', () => {
  it('shows time, level and message, then the other fields, quoting values with spaces', () => {
    const line = prettyLine(JSON.stringify({ level: 'warn', time: '2025-01-02T03:04:05.678Z', pid: 1, hostname: 'h', msg: 'slow broker', kind: 'upstream_timeout', note: 'two words', n: 2 }));
    expect(line).toBe('03:04:05.678 WARN  slow broker kind=upstream_timeout note="two words" n=2\n');
  });

  it('puts an error last, with its stack indented', () => {
    const line = prettyLine(JSON.stringify({ level: 'error', time: '2025-01-02T03:04:05.678Z', msg: 'failed', err: { message: 'disk full', stack: 'Error: disk full\n    at write (a.js:1:1)' } }));
    expect(line).toBe('03:04:05.678 ERROR failed err="disk full"\n    at write (a.js:1:1)\n');
  });

  it('passes a line that is not a JSON object through', () => {
    expect(prettyLine('plain text')).toBe('plain text\n');
    expect(prettyLine('[1,2]\n')).toBe('[1,2]\n');
  });
});
