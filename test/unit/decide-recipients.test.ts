/**
 * Organisations and declared recipients in decide(). The caller is its issuer with its
 * client id, subject and organisation; a declared recipient is whom the data is for. A
 * permission naming recipients is met by the declared one; wherever a listed party must
 * not receive the data (a prohibition, or `neq`), the caller is judged as well, so
 * declaring someone else never takes a caller out of a rule that names it.
 */
import { describe, expect, it } from 'vitest';
import { decideContracts } from '../../src/policy/index.js';
import type { PolicySnapshot } from '../../src/contracts/index.js';
import { doc, LOCAL_ISS, PARTNER_ISS, request, role, snapshot, target, V, type RequestOver } from './contracts-fixtures.js';

const PS = `${V}ParkingSpot`;
const run = (snap: PolicySnapshot, over: RequestOver) =>
  decideContracts(request({ types: [PS], ...over }), snap, { counters: new Map(), decisionId: 'd' });
const recipient = (operator: string, rightOperand: unknown) => [{ leftOperand: 'recipient', operator, rightOperand }];
const org = (issuer: string, organisation: string, clientId = 'app-1') => ({ subject: { issuer, clientId, sub: clientId, organisation, roles: ['staff'] } });
const declaring = (id: string, issuer = LOCAL_ISS) => ({ recipient: { issuer, id } });

describe('an organisation is a party of its issuer', () => {
  const snap = snapshot(
    doc('urn:c:org', { permission: [{ uid: 'read', target: target('ParkingSpot'), assignee: 'did:web:stats.example', action: 'read' }] }),
    doc('urn:c:partner-org', { permission: [{ uid: 'read', target: target('ParkingSpot'), assignee: '@partner-idp/fleet-co', action: 'read' }] }),
  );

  it('matches every caller of the organisation at the city\'s own issuers, whatever its client or subject', () => {
    for (const client of ['dashboard', 'analyst-7', 'batch-job']) {
      expect(run(snap, org(LOCAL_ISS, 'did:web:stats.example', client)).effect).toBe('permit');
    }
    expect(run(snap, org(LOCAL_ISS, 'did:web:other.example')).reason).toBe('no_matching_permission');
  });

  it('does not match a partner\'s caller claiming the organisation, unless the party is prefixed', () => {
    expect(run(snap, org(PARTNER_ISS, 'did:web:stats.example')).reason).toBe('no_matching_permission');
    expect(run(snap, org(PARTNER_ISS, 'fleet-co')).effect).toBe('permit');
    expect(run(snap, org(LOCAL_ISS, 'fleet-co')).reason).toBe('no_matching_permission');
  });
});

describe('a permission naming recipients', () => {
  const snap = snapshot(
    doc('urn:c:eq', { permission: [{ uid: 'lab', target: target('ParkingSpot'), assignee: role('staff'), action: 'read', constraint: recipient('eq', 'lab') }] }),
  );

  it('is met by the caller itself when nothing is declared, its organisation included', () => {
    expect(run(snap, org(LOCAL_ISS, 'lab')).effect).toBe('permit');
    expect(run(snap, org(LOCAL_ISS, 'elsewhere')).reason).toBe('constraint_not_satisfied');
  });

  it('is met by the declared recipient, not by the caller once it declares another', () => {
    expect(run(snap, { ...org(LOCAL_ISS, 'elsewhere'), ...declaring('lab') }).effect).toBe('permit');
    expect(run(snap, { ...org(LOCAL_ISS, 'lab'), ...declaring('press') }).reason).toBe('constraint_not_satisfied');
    // A recipient is a party of an issuer: a partner's `lab` is not the city's.
    expect(run(snap, { ...org(PARTNER_ISS, 'x'), ...declaring('lab', PARTNER_ISS) }).reason).toBe('constraint_not_satisfied');
  });

  it('that excludes a party (neq) excludes it as the caller too, whoever it declares', () => {
    const neq = snapshot(doc('urn:c:neq', { permission: [{ uid: 'not-press', target: target('ParkingSpot'), assignee: role('staff'), action: 'read', constraint: recipient('neq', 'press') }] }));
    expect(run(neq, org(LOCAL_ISS, 'lab')).effect).toBe('permit');
    expect(run(neq, org(LOCAL_ISS, 'press')).reason).toBe('constraint_not_satisfied');
    expect(run(neq, { ...org(LOCAL_ISS, 'lab'), ...declaring('press') }).reason).toBe('constraint_not_satisfied');
    // The attack: the excluded organisation declares someone else.
    expect(run(neq, { ...org(LOCAL_ISS, 'press'), ...declaring('lab') }).reason).toBe('constraint_not_satisfied');
  });
});

describe('a prohibition naming recipients binds the caller and the declared recipient alike', () => {
  const open = { uid: 'open', target: target('ParkingSpot'), assignee: role('staff'), action: 'read' };

  it('eq: a listed caller declaring someone else is still prohibited, and so is a caller declaring a listed one', () => {
    const snap = snapshot(doc('urn:c:ban', { permission: [open], prohibition: [{ uid: 'no-broker', target: target('ParkingSpot'), action: 'read', constraint: recipient('eq', 'data-broker') }] }));
    expect(run(snap, org(LOCAL_ISS, 'lab')).effect).toBe('permit');
    expect(run(snap, org(LOCAL_ISS, 'data-broker')).reason).toBe('prohibited');
    expect(run(snap, { ...org(LOCAL_ISS, 'data-broker'), ...declaring('lab') }).reason).toBe('prohibited');
    expect(run(snap, { ...org(LOCAL_ISS, 'lab'), ...declaring('data-broker') }).reason).toBe('prohibited');
  });

  it('neq (only these may receive): both the caller and the declared recipient must be listed', () => {
    const snap = snapshot(doc('urn:c:only', { permission: [open], prohibition: [{ uid: 'only-lab', target: target('ParkingSpot'), action: 'read', constraint: recipient('neq', 'lab') }] }));
    expect(run(snap, org(LOCAL_ISS, 'lab')).effect).toBe('permit');
    expect(run(snap, { ...org(LOCAL_ISS, 'lab'), ...declaring('lab') }).effect).toBe('permit');
    expect(run(snap, org(LOCAL_ISS, 'press')).reason).toBe('prohibited');
    expect(run(snap, { ...org(LOCAL_ISS, 'press'), ...declaring('lab') }).reason).toBe('prohibited');
    expect(run(snap, { ...org(LOCAL_ISS, 'lab'), ...declaring('press') }).reason).toBe('prohibited');
  });
});
