/**
 * Party names qualified by their issuer: how a contract's assignee and recipient strings
 * are read at load, and whom they match in decide(). The unit tests trust three issuers
 * (contracts-fixtures.ts): `local` and `city-idp` are the city's own, `partner-idp` is not.
 */
import { describe, expect, it } from 'vitest';
import { compileContract, ContractError, defaultExpander, hasParty, partyNames } from '../../src/contracts/index.js';
import { decideContracts as decide } from '../../src/policy/decide.js';
import { counterSubject } from '../../src/policy/index.js';
import type { PolicySnapshot } from '../../src/contracts/index.js';
import { CITY_ISS, doc, LOCAL_ISS, PARTIES, PARTNER_ISS, request, role, snapshot, target, V, type RequestOver } from './contracts-fixtures.js';

const PS = `${V}ParkingSpot`;
const run = (snap: PolicySnapshot, over: RequestOver, counters: Record<string, number> = {}) =>
  decide(request({ types: [PS], ...over }), snap, { counters: new Map(Object.entries(counters)), decisionId: 'd' });
const caller = (issuer: string, clientId: string, roles: string[] = []) => ({ subject: { issuer, clientId, sub: clientId, roles } });
const readBy = (assignee: unknown, more: Record<string, unknown> = {}) =>
  doc('urn:c:1', { permission: [{ uid: 'r', target: target('ParkingSpot'), assignee, action: 'read', ...more }] });

function assigneeOf(assignee: unknown) {
  return compileContract('c.jsonld', readBy(assignee), defaultExpander, PARTIES).permissions[0]!.assignee!.parties;
}

function loadError(assignee: unknown): ContractError {
  try {
    compileContract('c.jsonld', readBy(assignee), defaultExpander, PARTIES);
  } catch (err) {
    expect(err).toBeInstanceOf(ContractError);
    return err as ContractError;
  }
  throw new Error('expected a ContractError');
}

describe('party names at load', () => {
  it('reads an unprefixed name as that party at each of the city\'s own issuers', () => {
    const parties = assigneeOf('parking-operator-client');
    expect([...parties.keys()]).toEqual([LOCAL_ISS, CITY_ISS]);
    expect(hasParty(parties, LOCAL_ISS, 'parking-operator-client')).toBe(true);
    expect(hasParty(parties, CITY_ISS, 'parking-operator-client')).toBe(true);
    expect(hasParty(parties, PARTNER_ISS, 'parking-operator-client')).toBe(false);
  });

  it('reads @name/party as that party of the named issuer only', () => {
    const parties = assigneeOf(['@partner-idp/fleet-client', '@local/ops']);
    expect([...parties.keys()]).toEqual([PARTNER_ISS, LOCAL_ISS]);
    expect(hasParty(parties, PARTNER_ISS, 'fleet-client')).toBe(true);
    expect(hasParty(parties, CITY_ISS, 'fleet-client')).toBe(false);
    expect(hasParty(parties, LOCAL_ISS, 'ops')).toBe(true);
    expect(hasParty(parties, CITY_ISS, 'ops')).toBe(false);
  });

  it('takes IRIs, URNs and DIDs as unprefixed names, and everything after the first slash as the party', () => {
    const parties = assigneeOf(['did:web:uni.example', 'urn:example:client:1', 'https://apps.example/x', '@partner-idp/team/app', '@local/@odd']);
    for (const id of ['did:web:uni.example', 'urn:example:client:1', 'https://apps.example/x']) {
      expect(hasParty(parties, LOCAL_ISS, id)).toBe(true);
      expect(hasParty(parties, PARTNER_ISS, id)).toBe(false);
    }
    expect(hasParty(parties, PARTNER_ISS, 'team/app')).toBe(true);
    expect(hasParty(parties, LOCAL_ISS, '@odd')).toBe(true);
  });

  it('refuses a prefix that names no trusted issuer, naming the file, rule, term and the trusted names', () => {
    const e = loadError('@nobody/parking-operator-client');
    expect(e.code).toBe('ERR_CONTRACT_UNKNOWN_ISSUER');
    expect(e.source).toBe('c.jsonld');
    expect(e.rule).toBe('r');
    expect(e.term).toBe('@nobody/parking-operator-client');
    expect(e.message).toContain('"nobody" is not the name of a trusted issuer (trusted: local, city-idp, partner-idp)');
    // Names are compared exactly: no case folding, no derived spellings.
    expect(loadError('@Partner-IdP/x').code).toBe('ERR_CONTRACT_UNKNOWN_ISSUER');
    expect(loadError(['ok', '@https://idp.partner.example/x']).code).toBe('ERR_CONTRACT_UNKNOWN_ISSUER');
  });

  it('refuses a prefix without a party, or a leading @ without a prefix', () => {
    for (const bad of ['@partner-idp', '@partner-idp/', '@']) {
      const e = loadError(bad);
      expect(e.code).toBe('ERR_CONTRACT_BAD_VALUE');
      expect(e.message).toContain('@issuer-name/party');
    }
  });

  it('qualifies recipient constraints the same way', () => {
    const d = readBy(undefined, { constraint: [{ leftOperand: 'recipient', operator: 'isAnyOf', rightOperand: ['lab', '@partner-idp/lab'] }] });
    const c = compileContract('c.jsonld', d, defaultExpander, PARTIES).permissions[0]!.constraints[0]!;
    expect(c).toMatchObject({ kind: 'recipient' });
    const allowed = (c as { allowed: ReadonlyMap<string, ReadonlySet<string>> }).allowed;
    expect([...allowed.keys()].sort()).toEqual([CITY_ISS, LOCAL_ISS, PARTNER_ISS].sort());
    const bad = readBy(undefined, { constraint: [{ leftOperand: 'recipient', operator: 'eq', rightOperand: '@nobody/lab' }] });
    expect(() => compileContract('c.jsonld', bad, defaultExpander, PARTIES)).toThrow(expect.objectContaining({ code: 'ERR_CONTRACT_UNKNOWN_ISSUER' }));
  });

  it('with no issuer of the city\'s own, an unprefixed name matches nobody', () => {
    const partnersOnly = partyNames([{ name: 'partner-idp', issuer: PARTNER_ISS, cityOwn: false }]);
    const c = compileContract('c.jsonld', readBy('parking-operator-client'), defaultExpander, partnersOnly);
    expect(c.permissions[0]!.assignee!.parties.size).toBe(0);
    expect(() => partyNames([{ name: 'a', issuer: 'x', cityOwn: true }, { name: 'a', issuer: 'y', cityOwn: false }])).toThrow(TypeError);
  });
});

describe('decide: a party is its issuer and its name', () => {
  const snap = snapshot(
    doc('urn:c:operator', { permission: [{ uid: 'read', target: target('ParkingSpot'), assignee: 'parking-operator-client', action: 'read' }] }),
    doc('urn:c:fleet', { permission: [{ uid: 'read', target: target('ParkingSpot'), assignee: '@partner-idp/fleet-client', action: 'read' }] }),
    doc('urn:c:ban', { prohibition: [{ uid: 'no', target: target('ParkingSpot'), assignee: '@partner-idp/banned', action: 'read' }] }),
    doc('urn:c:open', { permission: [{ uid: 'read', target: target('ParkingSpot'), assignee: role('anyone'), action: 'read' }] }),
  );

  it('a partner caller with a local client\'s name does not match the local client\'s contract', () => {
    expect(run(snap, caller(LOCAL_ISS, 'parking-operator-client')).effect).toBe('permit');
    expect(run(snap, caller(CITY_ISS, 'parking-operator-client')).effect).toBe('permit');
    const partner = run(snap, caller(PARTNER_ISS, 'parking-operator-client'));
    expect(partner.effect).toBe('deny');
    expect(partner.reason).toBe('no_matching_permission');
  });

  it('by subject alone too: a partner token whose sub is the local client\'s name', () => {
    expect(run(snap, { subject: { issuer: LOCAL_ISS, sub: 'parking-operator-client', roles: [] } }).effect).toBe('permit');
    expect(run(snap, { subject: { issuer: PARTNER_ISS, sub: 'parking-operator-client', roles: [] } }).reason).toBe('no_matching_permission');
  });

  it('a prefixed assignee matches the named issuer\'s caller and no one else of that name', () => {
    const d = run(snap, caller(PARTNER_ISS, 'fleet-client'));
    expect(d.effect).toBe('permit');
    expect(d.rules).toEqual([{ contract: 'urn:c:fleet', rule: 'read' }]);
    expect(run(snap, caller(LOCAL_ISS, 'fleet-client')).reason).toBe('no_matching_permission');
    expect(run(snap, caller(CITY_ISS, 'fleet-client')).reason).toBe('no_matching_permission');
  });

  it('a prohibition on a partner\'s party binds that party only', () => {
    expect(run(snap, caller(PARTNER_ISS, 'banned', ['anyone'])).reason).toBe('prohibited');
    expect(run(snap, caller(LOCAL_ISS, 'banned', ['anyone'])).effect).toBe('permit');
  });

  it('roles are not qualified: a role assignee matches callers of any issuer', () => {
    expect(run(snap, caller(PARTNER_ISS, 'someone', ['anyone'])).effect).toBe('permit');
  });

  it('a recipient constraint falls back to the caller at its own issuer', () => {
    const s = snapshot(doc('urn:c:r', { permission: [{ uid: 'r', target: target('ParkingSpot'), action: 'read', constraint: [{ leftOperand: 'recipient', operator: 'eq', rightOperand: 'lab' }] }] }));
    expect(run(s, caller(LOCAL_ISS, 'lab')).effect).toBe('permit');
    expect(run(s, caller(PARTNER_ISS, 'lab')).reason).toBe('constraint_not_satisfied');
    expect(run(s, { ...caller(PARTNER_ISS, 'x'), recipient: { issuer: CITY_ISS, id: 'lab' } }).effect).toBe('permit');
    expect(run(s, { ...caller(LOCAL_ISS, 'x'), recipient: { issuer: PARTNER_ISS, id: 'lab' } }).reason).toBe('constraint_not_satisfied');
  });
});

describe('count keys carry the issuer', () => {
  const snap = snapshot(doc('urn:c:quota', {
    permission: [{
      uid: 'q', target: target('ParkingSpot'), assignee: ['parking-operator-client', '@partner-idp/parking-operator-client'], action: 'read',
      constraint: [{ leftOperand: 'count', operator: 'lteq', rightOperand: 2 }],
    }],
  }));

  it('keeps one counter per issuer for callers of the same name', () => {
    const local = run(snap, caller(LOCAL_ISS, 'parking-operator-client'));
    const partner = run(snap, caller(PARTNER_ISS, 'parking-operator-client'));
    expect(local.obligations.counters).toEqual([`urn:c:quota|q|${LOCAL_ISS.length}:${LOCAL_ISS}|parking-operator-client|total|total`]);
    expect(partner.obligations.counters).toEqual([`urn:c:quota|q|${PARTNER_ISS.length}:${PARTNER_ISS}|parking-operator-client|total|total`]);
    // The local caller's quota used up leaves the partner's untouched, and the other way round.
    const spent = { [local.obligations.counters[0]!]: 2 };
    expect(run(snap, caller(LOCAL_ISS, 'parking-operator-client'), spent).reason).toBe('constraint_not_satisfied');
    expect(run(snap, caller(PARTNER_ISS, 'parking-operator-client'), spent).effect).toBe('permit');
  });

  it('cannot be confused by ids or issuers that contain separators', () => {
    // Without the length, both would read "https://a|b|x".
    const a = counterSubject({ issuer: 'https://a', clientId: 'b|x', roles: [] });
    const b = counterSubject({ issuer: 'https://a|b', clientId: 'x', roles: [] });
    expect(a).toBe('9:https://a|b|x');
    expect(b).toBe('11:https://a|b|x');
    expect(counterSubject({ issuer: '1:x', clientId: 'y', roles: [] })).not.toBe(counterSubject({ issuer: '1', clientId: 'x|y', roles: [] }));
    expect(counterSubject({ issuer: 'https://a', roles: [] })).toBeUndefined();
    expect(counterSubject({ issuer: 'https://a', sub: 's', roles: [] })).toBe('9:https://a|s');
  });
});
