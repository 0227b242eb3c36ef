/**
 * The entities the consent benchmark reads: EnergyMeters after the Smart Data Models
 * schema, two per resident, each naming its resident in `owner`, with attributes the
 * contracts show (energy, last report, serial number, owner) and some they do not
 * (address, location, name), so both modes cut every entity.
 */
export const METERS_PER_CITIZEN = 2;

export const citizenSub = (i) => `resident-${String(i).padStart(3, '0')}`;
export const citizenId = (i) => `urn:ngsi-ld:Person:${citizenSub(i)}`;

export function energyMeters(citizens) {
  const out = [];
  for (let i = 0; i < citizens; i++) {
    for (let m = 0; m < METERS_PER_CITIZEN; m++) {
      out.push({
        id: `urn:ngsi-ld:EnergyMeter:home-${i}-${m}`,
        type: 'EnergyMeter',
        name: { type: 'Property', value: `Meter ${m} of home ${i}` },
        owner: { type: 'Relationship', object: citizenId(i) },
        totalActiveEnergyImport: { type: 'Property', value: 1000 + i * 10 + m, unitCode: 'KWH', observedAt: '2026-03-02T09:00:00.000Z' },
        dateLastReported: { type: 'Property', value: { '@type': 'DateTime', '@value': '2026-03-02T09:00:00.000Z' } },
        serialNumber: { type: 'Property', value: `EM-${i}-${m}` },
        address: { type: 'Property', value: { streetAddress: `Main St ${i}`, addressLocality: 'Santander', postalCode: '39003', addressCountry: 'ES' } },
        location: { type: 'GeoProperty', value: { type: 'Point', coordinates: [-3.80 + i / 1000, 43.46 + m / 1000] } },
      });
    }
  }
  return out;
}

/** What a citizen consents to in the benchmark: the supplier, for service provision, what the contract shows. */
export const METER_CONSENT = Object.freeze({
  recipient: 'supplier-app',
  purposes: ['dpv:ServiceProvision'],
  personalData: [{ type: 'EnergyMeter', attributes: ['totalActiveEnergyImport', 'dateLastReported', 'serialNumber', 'owner'] }],
});
