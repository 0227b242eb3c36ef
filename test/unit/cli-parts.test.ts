import { describe, it, expect } from 'vitest';
import { csvCell, formatRecord, csvHeader } from '../../src/cli/record-format.js';
import { timeBound } from '../../src/cli/audit-filter.js';
import { HelpRequested, parseOptions, UsageError, wholeNumber } from '../../src/cli/options.js';
import type { AuditRecord } from '../../src/audit/index.js';
import type { SegmentRecord } from '../../src/store/index.js';

/** A single gateway's record: its segment is the default one (''). */
const record: SegmentRecord = {
  segment: '',
  seq: 7, time: '2025-03-01T10:00:00.000Z', decisionId: 'd-7', requestId: 'r-7', sub: 'alice', operation: 'entity.retrieve',
  action: 'read', targets: { entityIds: ['urn:a'], types: [], attrs: ['x', 'y'] }, effect: 'permit', reason: 'permitted',
  latencyMs: 1.5, method: 'GET', path: '/ngsi-ld/v1/entities/urn%3Aa', prevHash: 'p', hash: 'h',
};

describe('CSV cells', () => {
  it('quote commas, quotes and line breaks as RFC 4180 says', () => {
    expect(csvCell('plain')).toBe('plain');
    expect(csvCell('a,b')).toBe('"a,b"');
    expect(csvCell('say "hi"')).toBe('"say ""hi"""');
    expect(csvCell('two\nlines')).toBe('"two\nlines"');
    expect(csvCell(' padded')).toBe('" padded"');
    expect(csvCell(undefined)).toBe('');
    expect(csvCell(42)).toBe('42');
  });

  it('never start with what a spreadsheet runs as a formula', () => {
    for (const attack of ['=1+1', '+cmd|x', '-2+3', '@SUM(A1)', '\t=1']) expect(csvCell(attack).replace(/^"/, '').startsWith("'")).toBe(true);
    expect(csvCell('=HYPERLINK("x")')).toBe(`"'=HYPERLINK(""x"")"`);
  });

  it('write control characters as \\u escapes, so no terminal sequence gets through', () => {
    expect(csvCell('a\u001b[2Jb')).toBe('a\\u001b[2Jb');
    expect(csvCell('over\rwrite')).toBe('over\\u000dwrite');
    expect(csvCell('c1\u009bx')).toBe('c1\\u009bx');
  });

  it('make one row per record under a header of the JSON names, objects as JSON', () => {
    const header = csvHeader().trimEnd().split(',');
    const row = formatRecord(record, 'csv');
    expect(row.endsWith('\r\n')).toBe(true);
    expect(header.slice(0, 4)).toEqual(['segment', 'seq', 'time', 'decisionId']);
    expect(row).toContain(',"{""entityIds"":[""urn:a""],""types"":[],""attrs"":[""x"",""y""]}",');
    expect(row.startsWith(',7,2025-03-01T10:00:00.000Z,d-7,r-7,,alice,')).toBe(true);
  });

  it('name the segment of a worker\'s record, so two records with one seq are told apart', () => {
    const w0 = { ...record, segment: 'i-0123456789ab.w0' };
    const w1 = { ...record, segment: 'i-0123456789ab.w1' };
    expect(formatRecord(w0, 'csv').startsWith('i-0123456789ab.w0,7,')).toBe(true);
    expect(formatRecord(w1, 'csv').startsWith('i-0123456789ab.w1,7,')).toBe(true);
    expect(formatRecord(w1, 'json').startsWith('{"segment":"i-0123456789ab.w1","seq":7,')).toBe(true);
  });
});

/** The cells of one RFC 4180 row (no line breaks inside cells here). */
function cellsOf(row: string): string[] {
  const cells: string[] = [];
  const re = /(?:"((?:[^"]|"")*)"|([^,\r\n]*))(,|\r\n|$)/g;
  for (let m = re.exec(row); m !== null && m[0] !== ''; m = re.exec(row)) {
    cells.push(m[1] !== undefined ? m[1].replace(/""/g, '"') : m[2]!);
    if (m[3] !== ',') break;
  }
  return cells;
}

describe('CSV and JSON forms', () => {
  it('hold the same fields: the token binding, a consent event and whose data went out too', () => {
    const full: SegmentRecord = {
      ...record, issuer: 'https://idp.example', clientId: 'supplier-app', binding: 'dpop', tenant: 'city', rules: ['urn:c#r'], upstreamStatus: 200,
      decided: { types: ['https://x/EnergyMeter'], attrs: ['https://x/owner'] }, contractRevision: 3, auditLevel: 'detailed', providers: ['energy'],
      consent: { id: 'urn:uuid:1', event: 'given', subject: 'urn:p:alice', recipient: 'supplier-app', purposes: ['https://w3id.org/dpv#ServiceProvision'] },
      released: { purpose: 'dpv:ServiceProvision', consents: ['urn:uuid:1'], subjects: [{ id: 'urn:p:alice', types: ['https://x/EnergyMeter'], attrs: ['https://x/owner'] }] },
    };
    const header = cellsOf(csvHeader());
    const row = cellsOf(formatRecord(full, 'csv'));
    expect(row).toHaveLength(header.length);
    const json = JSON.parse(formatRecord(full, 'json')) as Record<string, unknown>;
    expect(Object.keys(json).every((k) => header.includes(k))).toBe(true);
    for (const [i, name] of header.entries()) {
      const v = json[name];
      expect(row[i], name).toBe(v === undefined ? '' : typeof v === 'string' ? v : JSON.stringify(v));
    }
    expect(header).toEqual(expect.arrayContaining(['binding', 'consent', 'released']));
    const inWorker = JSON.parse(formatRecord({ ...full, segment: 'i-1.w1' }, 'json')) as Record<string, unknown>;
    expect(inWorker.segment).toBe('i-1.w1');
    expect(cellsOf(formatRecord({ ...full, segment: 'i-1.w1' }, 'csv'))[header.indexOf('segment')]).toBe('i-1.w1');
  });
});

describe('JSON lines', () => {
  it('are the record as stored, C1 controls escaped too', () => {
    const { segment: _default, ...stored } = record;
    expect(JSON.parse(formatRecord(record, 'json'))).toEqual(stored);
    const line = formatRecord({ ...record, sub: 'x\u009b31m\u001b' }, 'json');
    expect(line).not.toContain('\u009b');
    expect(line).not.toContain('\u001b');
    expect(line).toContain('x\\u009b31m\\u001b');
    expect((JSON.parse(line) as AuditRecord).sub).toBe('x\u009b31m\u001b');
  });
});

describe('--since and --until', () => {
  const now = new Date('2025-03-01T12:00:00.000Z');
  it('take durations back from now', () => {
    expect(timeBound('90s', '--since', now)).toBe('2025-03-01T11:58:30.000Z');
    expect(timeBound('1h', '--since', now)).toBe('2025-03-01T11:00:00.000Z');
    expect(timeBound('7d', '--since', now)).toBe('2025-02-22T12:00:00.000Z');
    expect(timeBound('2w', '--since', now)).toBe('2025-02-15T12:00:00.000Z');
  });
  it('take ISO times, with any offset, as UTC text', () => {
    expect(timeBound('2025-01-31', '--since', now)).toBe('2025-01-31T00:00:00.000Z');
    expect(timeBound('2025-01-31T12:00:00+02:00', '--since', now)).toBe('2025-01-31T10:00:00.000Z');
  });
  it('refuse anything else as a usage error', () => {
    for (const bad of ['yesterday', '1y', '2025-13-45', '1h ago', '']) expect(() => timeBound(bad, '--since', now)).toThrow(UsageError);
  });
});

describe('options', () => {
  it('refuse an unknown option naming it, and take --help on any command', () => {
    expect(() => parseOptions(['--nope'], { config: { type: 'string' } })).toThrow(new UsageError('unknown option --nope'));
    expect(() => parseOptions(['--config'], { config: { type: 'string' } })).toThrow(new UsageError('option --config needs a value'));
    expect(() => parseOptions(['--config', 'x', '-h'], { config: { type: 'string' } })).toThrow(HelpRequested);
    expect(parseOptions(['--config', 'x'], { config: { type: 'string' } }).values.config).toBe('x');
  });
  it('hold whole numbers to their range', () => {
    expect(wholeNumber('5', '--limit', 1, 10)).toBe(5);
    for (const bad of ['0', '11', '1.5', '-1', '1e3', '']) expect(() => wholeNumber(bad, '--limit', 1, 10)).toThrow(UsageError);
  });
});
