/**
 * What the consent screen asks for, derived from contracts (pure): only permissions that
 * need consent, for this client or its organisation at this issuer, for this purpose;
 * what the citizen ticks maps back by position only; and the page's language.
 */
import { describe, it, expect } from 'vitest';
import { chosenData, consentRequest, shortName } from '../../src/issuer/consent-request.js';
import { stringsFor } from '../../src/issuer/views/index.js';
import { CITY_ISS, DPV, PARTNER_ISS, V, attrsAnyOf, doc, snapshot, target } from './contracts-fixtures.js';

const consentDuty = [{ action: 'ngsi:obtainConsent' }];
const forPurpose = (p: string) => [{ leftOperand: 'purpose', operator: 'isA', rightOperand: p }];

const contracts = snapshot(doc('urn:c:meters', {
  'ngsi:dataSubject': 'owner',
  permission: [
    { uid: 'p1', target: target('EnergyMeter', attrsAnyOf('totalActiveEnergyImport', 'owner')), assignee: 'supplier-app', action: 'read', constraint: forPurpose('dpv:ServiceProvision'), duty: consentDuty },
    { uid: 'p2', target: target('EnergyMeter', attrsAnyOf('serialNumber')), assignee: 'urn:org:supplier', action: 'read', constraint: forPurpose('dpv:ServiceProvision'), duty: consentDuty },
    { uid: 'p3', target: target('WaterMeter'), assignee: 'supplier-app', action: 'read', duty: consentDuty },
    { uid: 'p4', target: target('Vehicle', attrsAnyOf('speed')), assignee: 'supplier-app', action: 'read', constraint: forPurpose('dpv:Marketing'), duty: consentDuty },
    { uid: 'p5', target: target('Streetlight'), assignee: 'supplier-app', action: 'read' },
    { uid: 'p6', target: target('Parking', attrsAnyOf('plate')), assignee: 'other-app', action: 'read', duty: consentDuty },
  ],
}));

const asker = { issuer: CITY_ISS, clientId: 'supplier-app', organisation: 'urn:org:supplier', purpose: `${DPV}ServiceProvision` };

describe('consent request from contracts', () => {
  it('gathers, per entity type, the attributes of consent-bound permissions for the client and its organisation', () => {
    expect(consentRequest(contracts, asker)).toEqual([
      { type: `${V}EnergyMeter`, attributes: [`${V}owner`, `${V}serialNumber`, `${V}totalActiveEnergyImport`] },
      { type: `${V}WaterMeter`, attributes: null },
    ]);
  });

  it('leaves out other purposes, permissions without consent, and other clients', () => {
    const types = consentRequest(contracts, asker).map((d) => shortName(d.type));
    expect(types).not.toContain('Vehicle');
    expect(types).not.toContain('Streetlight');
    expect(types).not.toContain('Parking');
  });

  it('asks for the narrower purpose too, and for nothing at another issuer or without a snapshot', () => {
    expect(consentRequest(contracts, { ...asker, purpose: `${DPV}DirectMarketing` }).map((d) => shortName(d.type))).toEqual(['Vehicle', 'WaterMeter']);
    expect(consentRequest(contracts, { ...asker, issuer: PARTNER_ISS })).toEqual([]);
    expect(consentRequest(undefined, asker)).toEqual([]);
  });
});

describe('what the citizen ticked', () => {
  const asked = consentRequest(contracts, asker);

  it('maps positions back to the names asked for; unknown or forged values are ignored', () => {
    expect(chosenData(asked, ['0.2', '0.0', '1.all', '0.9', 'EnergyMeter', '5.0', '0.1x'])).toEqual([
      { type: `${V}EnergyMeter`, attributes: [`${V}owner`, `${V}totalActiveEnergyImport`] },
      { type: `${V}WaterMeter`, attributes: null },
    ]);
  });

  it('nothing ticked is nothing given', () => {
    expect(chosenData(asked, [])).toEqual([]);
  });
});

describe('page language', () => {
  it('follows Accept-Language with its weights, English by default', () => {
    expect(stringsFor('de-DE,de;q=0.9,en;q=0.8').lang).toBe('de');
    expect(stringsFor('fr-FR, en;q=0.5, de;q=0.7').lang).toBe('de');
    expect(stringsFor('de;q=0, en').lang).toBe('en');
    expect(stringsFor('fr').lang).toBe('en');
    expect(stringsFor(undefined).lang).toBe('en');
  });

  it('German has every string English has', () => {
    const en = stringsFor('en');
    const de = stringsFor('de');
    expect(Object.keys(de).sort()).toEqual(Object.keys(en).sort());
    expect(Object.keys(de.purposes).sort()).toEqual(Object.keys(en.purposes).sort());
  });
});
