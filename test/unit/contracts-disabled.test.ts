import { describe, expect, it } from 'vitest';
import { createContextResolver } from '../../src/context/index.js';
import { loadDocument, snapshotOf, type ContractCopies } from '../../src/contracts/index.js';
import { providerOf } from '../../src/contracts/providers.js';
import { decideContracts as decide } from '../../src/policy/decide.js';
import { startContextServer } from '../helpers/context-server.js';
import { attrsAnyOf, doc, PARTIES, request, role, target, V } from './contracts-fixtures.js';

/** A loopback port nothing listens on: a context host that is down. */
async function closedPort(): Promise<number> {
  const host = await startContextServer({});
  await host.close();
  return host.port;
}

/** Copies kept in memory, as the store keeps them. */
function memoryCopies(): ContractCopies & { contexts: Map<string, ReadonlyMap<string, unknown>> } {
  const contexts = new Map<string, ReadonlyMap<string, unknown>>();
  return {
    contexts,
    contextDocuments: async (key) => contexts.get(key),
    putContextDocuments: async (key, documents) => { contexts.set(key, documents); },
    fileCopy: async () => undefined,
    putFileCopies: async () => undefined,
    keepFileCopies: async () => undefined,
  };
}

const state = { counters: new Map<string, number>(), decisionId: 'd-1' };

describe('a contract whose remote context is unavailable', async () => {
  const port = await closedPort();
  const url = `http://127.0.0.1:${port}/ctx.jsonld`;
  const resolver = createContextResolver({ allowList: [`http://127.0.0.1:${port}/`], maxEntries: 8, maxAgeMs: 1000, maxBytes: 65536, fetchTimeoutMs: 1000 });
  const contract = doc('urn:c:meter', {
    'ngsi:context': url,
    permission: [{ uid: 'read', target: target('Meter'), action: 'read' }],
    prohibition: [{
      uid: 'no-occupant',
      target: target('Meter', attrsAnyOf('occupant'), { leftOperand: 'ngsi:tenant', operator: 'eq', rightOperand: 'city' }),
      assignee: role('marketer'),
      action: 'read',
    }],
  });

  it('is in force disabled: no permission, each prohibition widened to every type and the whole entity, its scope kept', async () => {
    const outcome = await loadDocument({ source: 'meter.jsonld', doc: contract }, resolver, PARTIES);
    expect(outcome.status).toBe('disabled');
    if (outcome.status !== 'disabled') return;
    expect(outcome.problem.code).toBe('ERR_CONTRACT_CONTEXT_UNAVAILABLE');
    const c = outcome.contract;
    expect(c.disabled).toEqual({ reason: 'context_unavailable', prohibitions: 'widened' });
    expect(c.permissions).toEqual([]);
    const p = c.prohibitions[0]!;
    expect(p.types).toBeNull();
    expect(p.attrs).toBeNull();
    expect([...p.tenants!]).toEqual(['city']);
    expect([...p.assignee!.roles]).toEqual(['marketer']);

    const snap = snapshotOf([c]);
    const marketer = { ...request().subject, clientId: 'm', sub: 'm', roles: ['marketer'] };
    // Any type, any attribute, in its tenant, for its assignees: denied.
    expect(decide(request({ subject: marketer, tenant: 'city', types: [`${V}Bench`] }), snap, state)).toMatchObject({ effect: 'deny', reason: 'prohibited' });
    // Outside its tenant or its assignees it denies nothing more than having no contract does.
    expect(decide(request({ subject: marketer, tenant: 'other', types: [`${V}Bench`] }), snap, state).reason).toBe('no_matching_permission');
    expect(decide(request({ tenant: 'city', types: [`${V}Bench`] }), snap, state).reason).toBe('no_matching_permission');
  });

  it('keeps its prohibitions exact when a copy of the context was kept', async () => {
    const copies = memoryCopies();
    copies.contexts.set(url, new Map([[url, { Meter: 'https://example.org/Meter', occupant: 'https://example.org/occupant' }]]));
    const outcome = await loadDocument({ source: 'meter.jsonld', doc: contract }, resolver, PARTIES, copies);
    expect(outcome.status).toBe('disabled');
    if (outcome.status !== 'disabled') return;
    expect(outcome.contract.disabled?.prohibitions).toBe('cached');
    const p = outcome.contract.prohibitions[0]!;
    expect([...p.types!]).toEqual(['https://example.org/Meter']);
    expect(p.attrs).toEqual({ kind: 'only', attrs: new Set(['https://example.org/occupant']) });
    expect(outcome.contract.permissions).toEqual([]);
  });

  it('widened for a provider, covers only what the provider owns: its context being down blocks no other data', async () => {
    const parking = providerOf('parking', undefined, [{ tenants: ['city'], types: [`${V}ParkingSpot`], idPatterns: null }]);
    const own = doc('urn:c:spots', {
      'ngsi:context': url,
      prohibition: [{ uid: 'no-owner', target: target('ParkingSpot', attrsAnyOf('owner')), action: 'read' }],
    });
    const outcome = await loadDocument({ source: 'api:parking/urn:c:spots', doc: own, api: { provider: parking } }, resolver, PARTIES);
    expect(outcome.status).toBe('disabled');
    if (outcome.status !== 'disabled') return;
    const p = outcome.contract.prohibitions[0]!;
    expect([...p.types!]).toEqual([`${V}ParkingSpot`]);
    expect([...p.tenants!]).toEqual(['city']);
    const snap = snapshotOf([outcome.contract]);
    expect(decide(request({ tenant: 'city', types: [`${V}ParkingSpot`] }), snap, state)).toMatchObject({ effect: 'deny', reason: 'prohibited' });
    // Another provider's type, the same tenant: not this contract's to deny.
    expect(decide(request({ tenant: 'city', types: [`${V}Tram`] }), snap, state).reason).toBe('no_matching_permission');
    expect(decide(request({ tenant: 'other', types: [`${V}ParkingSpot`] }), snap, state).reason).toBe('no_matching_permission');
  });
});
