import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { compileContract, compileContracts, ContractError, defaultExpander, type ContractErrorCode } from '../../src/contracts/index.js';
import { compileIdPattern, type IdPattern } from '../../src/contracts/regex.js';
import { contractSummary } from '../../src/contracts/summary.js';

function compiled(p: string): IdPattern {
  const re = compileIdPattern(p);
  if (typeof re === 'string') throw new Error(`pattern refused: ${re}`);
  return re;
}
import { parseDateTime, parseDuration } from '../../src/contracts/values.js';
import { attrsAnyOf, doc, PARTIES, target, V } from './contracts-fixtures.js';

function load(d: unknown) {
  return compileContract('parking.jsonld', d, defaultExpander, PARTIES);
}

/** The load error, checked to name the file, the rule and the term. */
function loadError(d: unknown): ContractError {
  try {
    load(d);
  } catch (err) {
    expect(err).toBeInstanceOf(ContractError);
    return err as ContractError;
  }
  throw new Error('expected a ContractError');
}

const rule = (over: Record<string, unknown>) => doc('urn:c:1', { permission: [{ uid: 'r1', target: target('ParkingSpot'), action: 'ngsi:read', ...over }] });
const constraint = (c: unknown) => rule({ constraint: [c] });

describe('contract loading', () => {
  it('compiles a valid contract with expanded types and attributes', () => {
    const c = load(doc('urn:c:1', {
      permission: [{ uid: 'r1', target: target(['ParkingSpot', 'https://example.org/T'], attrsAnyOf('status')), action: ['read', 'ngsi:subscribe'] }],
    }));
    const r = c.permissions[0]!;
    expect([...r.types!]).toEqual([`${V}ParkingSpot`, 'https://example.org/T']);
    expect(r.attrs).toEqual({ kind: 'only', attrs: new Set([`${V}status`]) });
    expect([...r.actions]).toEqual(['read', 'subscribe']);
  });

  it('reads use as every action and accepts the three spellings of a term', () => {
    const c = load(rule({ action: 'http://www.w3.org/ns/odrl/2/use', target: { '@type': 'AssetCollection', refinement: [{ leftOperand: 'entityType', operator: 'odrl:eq', rightOperand: 'A' }] } }));
    expect(c.permissions[0]!.actions.size).toBe(6);
  });

  it('names rules without uid by kind and index', () => {
    const e = loadError(doc('urn:c:1', { permission: [{ target: target('A'), action: 'fly' }] }));
    expect(e.rule).toBe('permission[0]');
    expect(e.message).toContain('parking.jsonld');
  });

  const cases: Array<[string, unknown, ContractErrorCode, string]> = [
    ['unknown left operand', constraint({ leftOperand: 'weather', operator: 'eq', rightOperand: 'sunny' }), 'ERR_CONTRACT_UNKNOWN_TERM', 'weather'],
    ['unknown operator', constraint({ leftOperand: 'dateTime', operator: 'before', rightOperand: '2026-01-01T00:00:00Z' }), 'ERR_CONTRACT_UNKNOWN_TERM', 'before'],
    ['operator not allowed for operand', constraint({ leftOperand: 'purpose', operator: 'lt', rightOperand: 'dpv:Marketing' }), 'ERR_CONTRACT_UNKNOWN_TERM', 'lt'],
    ['unknown action', rule({ action: 'ngsi:fly' }), 'ERR_CONTRACT_UNKNOWN_TERM', 'ngsi:fly'],
    ['action outside the profile', rule({ action: 'register' }), 'ERR_CONTRACT_UNKNOWN_TERM', 'register'],
    ['unknown duty', rule({ duty: [{ action: 'odrl:compensate' }] }), 'ERR_CONTRACT_UNKNOWN_TERM', 'odrl:compensate'],
    ['unknown key', rule({ remedy: [] }), 'ERR_CONTRACT_UNKNOWN_TERM', 'remedy'],
    ['unknown purpose', constraint({ leftOperand: 'purpose', operator: 'eq', rightOperand: 'dpv:Sunbathing' }), 'ERR_CONTRACT_UNKNOWN_TERM', 'dpv:Sunbathing'],
    ['wrong right operand type', constraint({ leftOperand: 'recipient', operator: 'isAnyOf', rightOperand: 'single' }), 'ERR_CONTRACT_BAD_VALUE', 'recipient'],
    ['count not an integer', constraint({ leftOperand: 'count', operator: 'lteq', rightOperand: 2.5 }), 'ERR_CONTRACT_BAD_VALUE', '2.5'],
    ['malformed date', constraint({ leftOperand: 'dateTime', operator: 'lt', rightOperand: '2026-02-30T00:00:00Z' }), 'ERR_CONTRACT_BAD_VALUE', '2026-02-30T00:00:00Z'],
    ['date without zone', constraint({ leftOperand: 'dateTime', operator: 'lt', rightOperand: '2026-02-01T00:00:00' }), 'ERR_CONTRACT_BAD_VALUE', '2026-02-01T00:00:00'],
    ['malformed duration', constraint({ leftOperand: 'count', operator: 'lteq', rightOperand: 5, 'ngsi:period': 'one hour' }), 'ERR_CONTRACT_BAD_VALUE', 'one hour'],
    ['calendar count period', constraint({ leftOperand: 'count', operator: 'lteq', rightOperand: 5, 'ngsi:period': 'P1M' }), 'ERR_CONTRACT_BAD_VALUE', 'P1M'],
    ['elapsedTime without validFrom', constraint({ leftOperand: 'elapsedTime', operator: 'lteq', rightOperand: 'P1D' }), 'ERR_CONTRACT_MALFORMED', 'elapsedTime'],
    ['invalid regex', rule({ target: target('A', { leftOperand: 'ngsi:entityId', operator: 'ngsi:matches', rightOperand: 'urn:(a' }) }), 'ERR_CONTRACT_BAD_PATTERN', 'urn:(a'],
    ['backreference', rule({ target: target('A', { leftOperand: 'ngsi:entityId', operator: 'ngsi:matches', rightOperand: '(a)\\1' }) }), 'ERR_CONTRACT_BAD_PATTERN', '(a)\\1'],
    ['lookahead', rule({ target: target('A', { leftOperand: 'ngsi:entityId', operator: 'ngsi:matches', rightOperand: '(?=urn).*' }) }), 'ERR_CONTRACT_BAD_PATTERN', '(?=urn).*'],
    ['pattern too long', rule({ target: target('A', { leftOperand: 'ngsi:entityId', operator: 'ngsi:matches', rightOperand: 'a'.repeat(1025) }) }), 'ERR_CONTRACT_BAD_PATTERN', 'a'.repeat(1025)],
    ['spatial not a polygon', constraint({ leftOperand: 'spatial', operator: 'ngsi:within', rightOperand: { type: 'Point', coordinates: [1, 2] } }), 'ERR_CONTRACT_BAD_VALUE', 'spatial'],
    ['spatial edge across the antimeridian', constraint({ leftOperand: 'spatial', operator: 'ngsi:within', rightOperand: { type: 'Polygon', coordinates: [[[170, -10], [-170, -10], [-170, 10], [170, 10], [170, -10]]] } }), 'ERR_CONTRACT_BAD_VALUE', 'spatial'],
    ['spatial latitude out of range', constraint({ leftOperand: 'spatial', operator: 'ngsi:within', rightOperand: { type: 'Polygon', coordinates: [[[50, 4], [50, 100], [51, 100], [50, 4]]] } }), 'ERR_CONTRACT_BAD_VALUE', 'spatial'],
    ['spatial ring not closed', constraint({ leftOperand: 'spatial', operator: 'ngsi:within', rightOperand: { type: 'Polygon', coordinates: [[[0, 0], [1, 0], [1, 1], [0, 1]]] } }), 'ERR_CONTRACT_BAD_VALUE', 'spatial'],
    ['spatial inside or', constraint({ or: [{ leftOperand: 'spatial', operator: 'ngsi:within', rightOperand: { type: 'Polygon', coordinates: [[[0, 0], [1, 0], [1, 1], [0, 0]]] } }, { leftOperand: 'role', operator: 'eq', rightOperand: 'x' }] }), 'ERR_CONTRACT_MALFORMED', 'spatial'],
    ['logical with one operand', constraint({ and: [{ leftOperand: 'role', operator: 'eq', rightOperand: 'x' }] }), 'ERR_CONTRACT_MALFORMED', 'and'],
    ['target operand in a constraint', constraint({ leftOperand: 'ngsi:entityType', operator: 'eq', rightOperand: 'A' }), 'ERR_CONTRACT_UNKNOWN_TERM', 'ngsi:entityType'],
    ['missing target', doc('urn:c:1', { permission: [{ uid: 'r1', action: 'read' }] }), 'ERR_CONTRACT_MALFORMED', 'target'],
    ['isNoneOf on type', rule({ target: { '@type': 'AssetCollection', refinement: [{ leftOperand: 'ngsi:entityType', operator: 'isNoneOf', rightOperand: ['A'] }] } }), 'ERR_CONTRACT_UNKNOWN_TERM', 'isNoneOf'],
    ['duplicate rule uid', doc('urn:c:1', { permission: [{ uid: 'r1', target: target('A'), action: 'read' }, { uid: 'r1', target: target('B'), action: 'read' }] }), 'ERR_CONTRACT_DUPLICATE_UID', 'r1'],
    ['count in a prohibition', doc('urn:c:1', { prohibition: [{ uid: 'r1', target: target('A'), action: 'read', constraint: [{ leftOperand: 'count', operator: 'lteq', rightOperand: 1 }] }] }), 'ERR_CONTRACT_UNKNOWN_TERM', 'count'],
    ['duty on a prohibition', doc('urn:c:1', { prohibition: [{ uid: 'r1', target: target('A'), action: 'read', duty: [{ action: 'ngsi:log' }] }] }), 'ERR_CONTRACT_UNKNOWN_TERM', 'duty'],
    ['wrong profile', { ...rule({}), profile: 'https://example.org/other' }, 'ERR_CONTRACT_UNKNOWN_TERM', 'profile'],
    ['unknown policy type', { ...rule({}), '@type': 'Contract' }, 'ERR_CONTRACT_UNKNOWN_TERM', 'Contract'],
  ];
  it.each(cases)('refuses %s', (_name, d, code, term) => {
    const e = loadError(d);
    expect(e.code).toBe(code);
    expect(e.source).toBe('parking.jsonld');
    expect(e.term).toBe(term);
    if (!['wrong profile', 'unknown policy type'].includes(_name)) expect(e.rule).toBe('r1');
    expect(e.message).toContain('parking.jsonld');
    expect(e.toMimtrustError().status).toBe(400);
  });

  it('quotes nothing of a document that is not a contract of the profile', () => {
    const secret = 'root:x:0:0:root:/root:/bin/bash';
    for (const d of [
      { [secret]: secret },
      { '@context': secret, profile: secret, uid: secret },
      { '@context': ['http://www.w3.org/ns/odrl.jsonld'], profile: secret, [secret]: 1 },
      [secret],
      secret,
    ]) {
      const e = loadError(d);
      expect(e.message).not.toContain('root');
      expect(e.term).not.toContain('root');
    }
  });

  it('quotes terms on one line: control characters are escaped', () => {
    const e = loadError(rule({ action: 'ngsi:read\nforged log line' }));
    expect(e.message).toContain('ngsi:read\\u000aforged log line');
    expect(e.message).not.toContain('\n');
  });

  it('refuses duplicate contract uids across files, naming the file', () => {
    const d = rule({});
    expect(() => compileContracts([
      { source: 'a.jsonld', doc: d, expand: defaultExpander },
      { source: 'b.jsonld', doc: d, expand: defaultExpander },
    ], PARTIES)).toThrow(expect.objectContaining({ code: 'ERR_CONTRACT_DUPLICATE_UID', source: 'b.jsonld' }));
  });

  it('loads every example contract in contracts/', () => {
    const dir = join(import.meta.dirname, '../../contracts');
    const files = readdirSync(dir).filter((f) => f.endsWith('.jsonld'));
    expect(files.length).toBeGreaterThanOrEqual(4);
    const snap = compileContracts(files.map((f) => ({ source: f, doc: JSON.parse(readFileSync(join(dir, f), 'utf8')) as unknown, expand: defaultExpander })), PARTIES);
    expect(snap.contracts.size).toBe(files.length);
  });
});

describe('literal values', () => {
  it('parses date-times with zones only, and real calendar dates', () => {
    expect(parseDateTime('2026-01-01T00:00:00Z')).toBe(Date.UTC(2026, 0, 1));
    expect(parseDateTime('2026-01-01T01:00:00+01:00')).toBe(Date.UTC(2026, 0, 1));
    expect(parseDateTime('2024-02-29T00:00:00Z')).toBe(Date.UTC(2024, 1, 29));
    expect(parseDateTime('2025-02-29T00:00:00Z')).toBeUndefined();
    expect(parseDateTime('2026-01-01')).toBeUndefined();
  });

  it('parses durations', () => {
    expect(parseDuration('PT1H')).toEqual({ years: 0, months: 0, fixedMs: 3_600_000 });
    expect(parseDuration('P1DT30M')).toEqual({ years: 0, months: 0, fixedMs: 86_400_000 + 1_800_000 });
    expect(parseDuration('P1Y2M')).toEqual({ years: 1, months: 2, fixedMs: 0 });
    expect(parseDuration('P')).toBeUndefined();
    expect(parseDuration('PT')).toBeUndefined();
    expect(parseDuration('P0D')).toBeUndefined();
  });

  it('compiles patterns that match whole ids, and refuses what RE2 cannot run', () => {
    const re = compiled('urn:ngsi-ld:(ParkingSpot|OffStreetParking):[0-9]+');
    expect(re.test('urn:ngsi-ld:ParkingSpot:12')).toBe(true);
    expect(re.test('x-urn:ngsi-ld:ParkingSpot:12')).toBe(false);
    expect(re.test('urn:ngsi-ld:ParkingSpot:12x')).toBe(false);
    expect(compiled('(?:ab|cd)*').test('abcdab')).toBe(true);
    expect(compiled('a|b').test('ab')).toBe(false);
    expect(compileIdPattern('(?<n>a)\\k<n>')).toBe('backreference');
    expect(compileIdPattern('a(?<!b)')).toBe('lookaround');
    expect(compiled('[(]+x').test('((x')).toBe(true);
  });

  // Under a backtracking engine this pattern costs the fourth power of the id's length
  // (a 525-character id took 21 s); RE2 is linear. Asserting the answer, not the time:
  // the run finishing at all is the point, and its cost is visible in the test's duration.
  it('matches a 10,000-character id against patterns that backtrack catastrophically elsewhere', () => {
    const id = 'urn:ngsi-ld:EnergyMeter:' + 'a:'.repeat(5000) + 'public';
    expect(compiled('urn:ngsi-ld:EnergyMeter:.*:.*:.*:.*:private').test(id)).toBe(false);
    expect(compiled('(a+)+b').test('a'.repeat(10_000))).toBe(false);
    expect(compiled('urn:ngsi-ld:EnergyMeter:.*:public').test(id)).toBe(true);
  });
});

describe('rule descriptions', () => {
  it('are kept with the rule and listed with the contract, and must be strings', () => {
    const base = {
      '@context': ['http://www.w3.org/ns/odrl.jsonld', { ngsi: 'https://mimtrust.org/ns/odrl-ngsi-ld#' }],
      '@type': 'Set', uid: 'urn:c:desc', profile: 'https://mimtrust.org/ns/odrl-ngsi-ld',
    };
    const rule = { uid: 'r', target: { '@type': 'AssetCollection' }, action: 'ngsi:read', description: 'Open data: anybody may read street lights.' };
    const c = compileContract('d.jsonld', { ...base, permission: [rule] }, defaultExpander, PARTIES);
    expect(c.permissions[0]?.description).toBe('Open data: anybody may read street lights.');
    expect(contractSummary(c)).toMatchObject({ descriptions: { r: 'Open data: anybody may read street lights.' } });
    expect(() => compileContract('d.jsonld', { ...base, permission: [{ ...rule, description: 42 }] }, defaultExpander, PARTIES))
      .toThrow(expect.objectContaining({ code: 'ERR_CONTRACT_BAD_VALUE' }));
  });
});
