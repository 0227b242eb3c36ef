/**
 * Validation reads a contract past its first problem, places each problem at the line and
 * column of the value at fault, suggests the name probably meant, and warns of names that
 * resolve to nothing known (an error where the context is a Smart Data Models one).
 */
import { describe, it, expect } from 'vitest';
import { join } from 'node:path';
import { createContextResolver, loadPinnedContexts } from '../../src/context/index.js';
import { compileContract, defaultExpander, validateDocument, ContractError, type ContractProblem } from '../../src/contracts/index.js';
import { REPO } from '../helpers/harness.js';
import { CTX, PARTIES, PROFILE, attrsNoneOf, doc, role, target } from './contracts-fixtures.js';

const SDM = 'https://raw.githubusercontent.com/smart-data-models/dataModel.Streetlighting/master/context.jsonld';
const resolver = createContextResolver({
  allowList: [], maxEntries: 16, maxAgeMs: 60_000, maxBytes: 1 << 20, fetchTimeoutMs: 500,
  pinned: loadPinnedContexts({ [SDM]: join(REPO, 'test/fixtures/smart-data-models/streetlighting.context.jsonld') }, 1 << 20),
  fetch: () => Promise.reject(new Error('no network in this test')),
});
const ROLES = new Set(['viewer', 'provider', 'operator', 'statistics-office']);

async function problemsOf(d: Record<string, unknown>, roles: ReadonlySet<string> | null = ROLES): Promise<{ text: string; problems: ContractProblem[] }> {
  const text = JSON.stringify(d, null, 2);
  const { problems } = await validateDocument({ source: 'c.jsonld', doc: d, text }, { resolver, parties: PARTIES, ...(roles ? { roles } : {}) });
  return { text, problems };
}

/** The text at a problem's line and column. */
function at(text: string, p: ContractProblem): string {
  return text.split('\n')[p.line - 1]!.slice(p.column - 1);
}

describe('validateDocument', () => {
  it('reports every problem of a document in one pass, each at its value, with the name probably meant', async () => {
    const { text, problems } = await problemsOf(doc('urn:v:1', {
      permission: [
        { uid: 'r1', target: target('Tram', { leftOperand: 'ngsi:attribute', operator: 'isNonOf', rightOperand: ['driver'] }), action: 'ngsi:raed' },
        { uid: 'r2', target: { '@type': 'AssetCollection', refinment: [] }, action: 'ngsi:read', constraint: [{ leftOperand: 'purpose', operator: 'eq', rightOperand: 'dpv:ResearchAndDevelopmnt' }] },
      ],
      prohibition: [{ uid: 'p1', target: target(null, { leftOperand: 'ngsi:entityTyp', operator: 'eq', rightOperand: 'Tram' }), action: 'ngsi:read' }],
    }));
    const errors = problems.filter((p) => p.severity === 'error');
    expect(errors.map((p) => [p.code, p.suggestion])).toEqual([
      ['ERR_CONTRACT_UNKNOWN_TERM', 'isNoneOf'],
      ['ERR_CONTRACT_UNKNOWN_TERM', 'ngsi:read'],
      ['ERR_CONTRACT_UNKNOWN_TERM', 'refinement'],
      ['ERR_CONTRACT_UNKNOWN_TERM', 'dpv:ResearchAndDevelopment'],
      ['ERR_CONTRACT_UNKNOWN_TERM', 'ngsi:entityType'],
    ]);
    expect(errors.map((p) => at(text, p).slice(0, 28))).toEqual([
      '"isNonOf",', '"ngsi:raed"', '"refinment": []', '"dpv:ResearchAndDevelopmnt"', '"ngsi:entityTyp",',
    ]);
    expect(errors[0]!.message).toBe('rule "r1": unknown operator ("isNonOf"); did you mean "isNoneOf"?');
    for (const p of errors) expect(p.file).toBe('c.jsonld');
  });

  it('refuses a misspelt isNoneOf at load, so the attribute it meant to hide is never exposed', () => {
    const d = doc('urn:v:2', { permission: [{ uid: 'r', action: 'ngsi:read', target: target('Person', { ...attrsNoneOf('email'), operator: 'isNoneof' }) }] });
    expect(() => compileContract('c.jsonld', d, defaultExpander, PARTIES)).toThrow(ContractError);
    expect(() => compileContract('c.jsonld', d, defaultExpander, PARTIES)).toThrow(/unknown operator \("isNoneof"\); did you mean "isNoneOf"\?/);
  });

  it('warns of types and attributes the contract\'s context does not define, suggesting the terms it does', async () => {
    const { text, problems } = await problemsOf(doc('urn:v:3', {
      '@context': CTX,
      context: { Tram: 'https://transport.example/Tram', delay: 'https://transport.example/delay' },
      permission: [{ uid: 'r', action: 'ngsi:read', target: target(['Tram', 'Tarm'], attrsNoneOf('delya', 'location')) }],
    }));
    expect(problems.map((p) => [p.severity, p.code, p.suggestion, at(text, p).slice(0, 7)])).toEqual([
      ['warning', 'ERR_CONTRACT_UNDEFINED_TERM', 'Tram', '"Tarm"'],
      ['warning', 'ERR_CONTRACT_UNDEFINED_TERM', 'delay', '"delya"'],
    ]);
    expect(problems[0]!.message).toContain('https://uri.etsi.org/ngsi-ld/default-context/Tarm');
  });

  it('makes an undefined name an error when the context is a Smart Data Models one', async () => {
    const { problems } = await problemsOf(doc('urn:v:4', {
      'ngsi:context': SDM,
      permission: [{ uid: 'r', action: 'ngsi:read', target: target('Streetlight', attrsNoneOf('lanternModelName', 'powerstate')) }],
    }));
    expect(problems).toEqual([expect.objectContaining({ severity: 'error', code: 'ERR_CONTRACT_UNDEFINED_TERM', suggestion: 'powerState' })]);
    expect(problems[0]!.message).toMatch(/^attribute "powerstate" is not defined by the contract's context \(a Smart Data Models context/);
  });

  it('warns of roles roles.csv grants nothing to, and of string assignees that are role names', async () => {
    const { text, problems } = await problemsOf(doc('urn:v:5', {
      permission: [
        { uid: 'a', action: 'ngsi:read', target: target(null), assignee: role('viewer', 'veiwer') },
        { uid: 'b', action: 'ngsi:read', target: target(null), assignee: ['operator', 'urn:org:1', 'statistics-ofice'] },
        { uid: 'c', action: 'ngsi:read', target: target(null), constraint: [{ leftOperand: 'ngsi:role', operator: 'eq', rightOperand: 'auditor' }] },
      ],
    }));
    expect(problems.map((p) => [p.code, p.suggestion, at(text, p).slice(0, 18)])).toEqual([
      ['ERR_CONTRACT_UNKNOWN_ROLE', 'viewer', '"veiwer"'],
      ['ERR_CONTRACT_ASSIGNEE_LOOKS_LIKE_ROLE', 'operator', '"operator",'],
      ['ERR_CONTRACT_ASSIGNEE_LOOKS_LIKE_ROLE', 'statistics-office', '"statistics-ofice"'],
      ['ERR_CONTRACT_UNKNOWN_ROLE', undefined, '"auditor"'],
    ]);
    expect(problems.every((p) => p.severity === 'warning')).toBe(true);
    // Without roles.csv nothing is said about roles.
    expect((await problemsOf(doc('urn:v:5', { permission: [{ uid: 'a', action: 'ngsi:read', target: target(null), assignee: role('veiwer') }] }), null)).problems).toEqual([]);
  });

  describe('areas', () => {
    const area = (coordinates: unknown) => doc('urn:v:6', {
      permission: [{ uid: 'r', action: 'ngsi:read', target: target(null), constraint: [{ leftOperand: 'spatial', operator: 'ngsi:within', rightOperand: { type: 'Polygon', coordinates } }] }],
    });

    it('points at a latitude beyond ±90 and hints at swapped coordinates', async () => {
      const { text, problems } = await problemsOf(area([[[60.1, 24.9], [60.2, 24.9], [-33.8, 151.3], [60.1, 24.9]]]));
      expect(problems).toHaveLength(1);
      expect(problems[0]).toMatchObject({ severity: 'error', code: 'ERR_CONTRACT_BAD_VALUE', suggestion: 'coordinates are [longitude, latitude]; did you swap them?' });
      expect(problems[0]!.message).toContain('ring 1, position 3: latitude 151.3 is outside [-90, 90]');
      expect(at(text, problems[0]!)).toBe('151.3');
      expect(text.split('\n')[problems[0]!.line - 2]!.trim()).toBe('-33.8,');
    });

    it('points at the last position of a ring that is not closed, and at a longitude out of range', async () => {
      const open = await problemsOf(area([[[10, 50], [11, 50], [11, 51], [10, 51]]]));
      expect(open.problems).toEqual([expect.objectContaining({ code: 'ERR_CONTRACT_BAD_VALUE', suggestion: 'close the ring: end it with [10, 50]' })]);
      expect(open.problems[0]!.message).toContain('a linear ring must end at the position it starts with');
      expect(open.text.split('\n').slice(open.problems[0]!.line - 1, open.problems[0]!.line + 1).map((l) => l.trim())).toEqual(['[', '10,']);
      const short = await problemsOf(area([[[10, 50], [11, 50], [10, 50]]]));
      expect(short.problems[0]!.message).toContain('a linear ring needs at least 4 positions');
      const far = await problemsOf(area([[[10, 50], [400, 50], [11, 51], [10, 50]]]));
      expect(far.problems[0]!.message).toContain('longitude 400 is outside [-180, 180]');
      expect(at(far.text, far.problems[0]!)).toBe('400,');
    });
  });

  it('places problems in the text as written, JSON-LD keys and all', async () => {
    const text = `{"@context": ${JSON.stringify(CTX)}, "@type": "Set", "uid": "urn:v:7", "profile": "${PROFILE}",\n  "permission": {"uid": "r", "action": "read", "target": {"@type": "AssetCollection"},\n    "constrant": []}}`;
    const { problems } = await validateDocument({ source: 'c.json', doc: JSON.parse(text), text }, { resolver, parties: PARTIES });
    expect(problems).toEqual([{ file: 'c.json', line: 3, column: 5, severity: 'error', code: 'ERR_CONTRACT_UNKNOWN_TERM', message: 'rule "r": key outside the profile ("constrant"); did you mean "constraint"?', suggestion: 'constraint' }]);
  });

  it('names a context that cannot be retrieved as the one problem', async () => {
    const { problems } = await problemsOf(doc('urn:v:8', { 'ngsi:context': 'https://elsewhere.example/ctx.jsonld', permission: [{ uid: 'r', action: 'ngsi:read', target: target(null) }] }));
    expect(problems).toHaveLength(1);
    expect(problems[0]).toMatchObject({ severity: 'error', code: 'ERR_CONTRACT_BAD_VALUE', line: 1, column: 1 });
    expect(problems[0]!.message).toMatch(/^its ngsi:context cannot be used/);
  });
});
