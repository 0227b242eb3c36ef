/**
 * Who sees what, per type and action, checked cell by cell against decide() on the
 * requests a caller could make, and on what it says about conditions and rules.
 */
import { describe, it, expect, beforeAll } from 'vitest';
import { readFileSync } from 'node:fs';
import { RoleChecker } from '../../src/policy/roles.js';
import { decide, explain, explanationJson, type DecisionSnapshot, type Subject } from '../../src/policy/index.js';
import { doc, target, attrsAnyOf, attrsNoneOf, role, snapshot, request, LOCAL_ISS, NOW, V, DPV } from './contracts-fixtures.js';

const DISTRICT = { type: 'Polygon', coordinates: [[[4.3, 50.8], [4.4, 50.8], [4.4, 50.9], [4.3, 50.9], [4.3, 50.8]]] };
const contracts = snapshot(
  doc('urn:c:lights', { permission: [{ uid: 'urn:c:lights:read', description: 'Street lights are open data.', action: ['ngsi:read', 'ngsi:subscribe'], target: target('Streetlight', attrsAnyOf('status', 'location')) }] }),
  doc('urn:c:meters', {
    permission: [
      { uid: 'urn:c:meters:office', action: ['ngsi:read', 'ngsi:modify'], target: target('WaterMeter', attrsNoneOf('owner')), assignee: role('statistics'),
        constraint: [{ leftOperand: 'spatial', operator: 'ngsi:within', rightOperand: DISTRICT }, { leftOperand: 'count', operator: 'lteq', rightOperand: 50, 'ngsi:period': 'P1D' }], duty: [{ action: 'ngsi:log' }] },
      { uid: 'urn:c:meters:one', action: 'ngsi:read', target: target('WaterMeter', { leftOperand: 'ngsi:entityId', operator: 'eq', rightOperand: 'urn:ngsi-ld:WaterMeter:1' }) },
      { uid: 'urn:c:meters:later', action: 'ngsi:read', target: target('WaterMeter'), assignee: role('statistics'), constraint: [{ leftOperand: 'dateTime', operator: 'gteq', rightOperand: '2027-01-01T00:00:00Z' }] },
    ],
    prohibition: [{ uid: 'urn:c:meters:no-marketing', action: 'use', target: target('WaterMeter'), constraint: [{ leftOperand: 'purpose', operator: 'isA', rightOperand: 'dpv:Marketing' }] }],
  }),
);

let snap: DecisionSnapshot;
beforeAll(async () => {
  const model = readFileSync(new URL('../../policies/model.conf', import.meta.url), 'utf8');
  snap = { roles: await RoleChecker.fromText(model, 'p, viewer, *, read\np, viewer, *, subscribe\np, viewer, *, modify\n'), contracts, counters: new Map() };
});

const subject = (roles: string[]): Subject => ({ issuer: LOCAL_ISS, clientId: 'app-1', sub: 'app-1', roles });
const ATTRS = ['status', 'location', 'owner', 'totalConsumption'].map((a) => V + a);
const TYPES = ['Streetlight', 'WaterMeter'].map((t) => V + t);
const short = (iri: string) => (iri.startsWith(V) ? iri.slice(V.length) : iri);

describe('explain', () => {
  const callers = [
    ['office', subject(['viewer', 'statistics']), `${DPV}PublicBenefit`],
    ['resident', subject(['viewer']), `${DPV}PublicBenefit`],
    ['marketer', subject(['viewer', 'statistics']), `${DPV}Marketing`],
  ] as const;

  it.each(callers)('%s: every cell agrees with decide() on the attributes it names', (_n, s, purpose) => {
    const e = explain({ subject: s, purpose }, snap, { at: NOW });
    for (const type of TYPES) {
      const row = e.rows.find((r) => r.type === type);
      for (const action of ['read', 'subscribe', 'modify'] as const) {
        const cell = row?.cells.find((c) => c.action === action);
        const operation = action === 'read' ? 'entity.query' : action === 'subscribe' ? 'subscription.create' : 'attrs.update';
        const base = decide({ request: request({ action, operation, subject: s, purpose, types: [type] }), decisionId: 'x' }, snap);
        expect(cell?.effect ?? 'deny', `${type} ${action}`).toBe(base.effect);
        for (const a of ATTRS) {
          const d = decide({ request: request({ action, operation, subject: s, purpose, types: [type], attrs: [a] }), decisionId: 'x' }, snap);
          const claimed = cell !== undefined && (cell.attributes.kind === 'all' ? !cell.attributes.except.has(a) : cell.attributes.attrs.has(a));
          expect(claimed, `${type} ${action} ${a}`).toBe(d.effect === 'permit');
        }
      }
    }
  });

  it('names the area, the count, the log duty and the rules of the office\'s meters; an id-bound rule and a later one are not applied', () => {
    const e = explanationJson(explain({ subject: subject(['viewer', 'statistics']), purpose: `${DPV}PublicBenefit` }, snap, { at: NOW }), short);
    const meters = (e.types as Array<Record<string, any>>).find((t) => t.name === 'WaterMeter')!;
    expect(meters.actions.read).toMatchObject({
      effect: 'permit',
      attributes: { allExcept: ['owner'] },
      conditions: [
        { kind: 'within', areas: [DISTRICT], rules: [{ contract: 'urn:c:meters', rule: 'urn:c:meters:office' }] },
        { kind: 'entityIds', ids: ['urn:ngsi-ld:WaterMeter:1'], attributes: 'all', rule: { rule: 'urn:c:meters:one', index: 1 } },
        { kind: 'count', max: 50, period: 'P1D', scope: 'caller' },
      ],
      duties: ['log'],
      rules: [{ contract: 'urn:c:meters', rule: 'urn:c:meters:office', index: 0 }],
    });
    expect(meters.actions.read.notApplied).toEqual(expect.arrayContaining([
      expect.objectContaining({ rule: 'urn:c:meters:later', outcome: 'constraint:dateTime', constraints: ['dateTime gteq 2027-01-01T00:00:00.000Z'] }),
    ]));
    expect(meters.actions.modify).toMatchObject({ effect: 'permit', wholeEntity: false });
    expect(meters.actions.create).toMatchObject({ effect: 'deny', reason: 'role_denied', attributes: [] });
    const lights = (e.types as Array<Record<string, any>>).find((t) => t.name === 'Streetlight')!;
    expect(lights.actions.read).toMatchObject({ attributes: ['location', 'status'], rules: [{ description: 'Street lights are open data.' }] });
    expect((e.types as Array<Record<string, any>>).at(-1)).toMatchObject({ type: null, name: '(any other type)', actions: { read: { effect: 'deny', reason: 'no_matching_permission' } } });
  });

  it('at a later time the later rule applies: the meters are read anywhere, and the area\'s count no longer counts', () => {
    const e = explain({ subject: subject(['viewer', 'statistics']), purpose: `${DPV}PublicBenefit` }, snap, { at: Date.parse('2027-02-01T00:00:00Z') });
    const read = e.rows.find((r) => r.type === V + 'WaterMeter')!.cells.find((c) => c.action === 'read')!;
    expect(read.conditions.map((c) => c.kind)).toEqual(['entityIds']);
    expect(read.rules.map((r) => r.rule)).toEqual(['urn:c:meters:later']);
    expect(read.attributes).toMatchObject({ kind: 'all', except: new Set() });
  });

  it('a prohibition is named where it applies; other types can be left out', () => {
    const e = explain({ subject: subject(['viewer', 'statistics']), purpose: `${DPV}Marketing` }, snap, { at: NOW, onlyTypes: new Set([V + 'WaterMeter']) });
    expect(e.rows.map((r) => r.type)).toEqual([V + 'WaterMeter']);
    const read = e.rows[0]!.cells.find((c) => c.action === 'read')!;
    expect(read).toMatchObject({ effect: 'deny', reason: 'prohibited', prohibitions: [{ contract: 'urn:c:meters', rule: 'urn:c:meters:no-marketing', kind: 'prohibition', index: 0 }] });
  });

  it('a caller no rule addresses is told nothing but the default deny', () => {
    const e = explain({ subject: subject(['viewer']), purpose: `${DPV}PublicBenefit`, tenant: 'elsewhere' }, snap, { at: NOW });
    expect(e.rows.map((r) => r.type)).toEqual([V + 'Streetlight', V + 'WaterMeter', null]);
    expect(explain({ subject: subject([]) }, snap, { at: NOW }).rows.flatMap((r) => r.cells).every((c) => c.effect === 'deny')).toBe(true);
  });
});
