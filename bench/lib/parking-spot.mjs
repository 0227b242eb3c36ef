/**
 * The entity every benchmark mode reads: a ParkingSpot after the Smart Data Models
 * schema, with the dozen attributes a real one carries (properties, a GeoProperty, a
 * relationship, sub-properties and observedAt), so that parsing and copying cost is
 * realistic rather than that of a toy object.
 */
export const PARKING_SPOT_ID = 'urn:ngsi-ld:ParkingSpot:santander:daoiz_velarde_1_5:3';

export const PARKING_SPOT = Object.freeze({
  id: PARKING_SPOT_ID,
  type: 'ParkingSpot',
  name: { type: 'Property', value: 'A-13' },
  description: { type: 'Property', value: 'Spot 3 on the ground floor of Daoiz y Velarde, reserved for electric cars' },
  category: { type: 'Property', value: ['onStreet', 'forElectricCharging'] },
  status: {
    type: 'Property',
    value: 'free',
    observedAt: '2026-03-02T09:14:05.000Z',
    providedBy: { type: 'Relationship', object: 'urn:ngsi-ld:Device:parking-sensor-0815' },
  },
  location: {
    type: 'GeoProperty',
    value: { type: 'Point', coordinates: [-3.80356167695194, 43.46296641666926] },
  },
  address: {
    type: 'Property',
    value: { streetAddress: 'Plaza de Daoiz y Velarde', addressLocality: 'Santander', addressRegion: 'Cantabria', postalCode: '39003', addressCountry: 'ES' },
  },
  refParkingSite: { type: 'Relationship', object: 'urn:ngsi-ld:ParkingSite:santander:daoiz_velarde_1_5' },
  width: { type: 'Property', value: 2.5, unitCode: 'MTR' },
  length: { type: 'Property', value: 5.2, unitCode: 'MTR' },
  occupancyModified: { type: 'Property', value: { '@type': 'DateTime', '@value': '2026-03-02T09:14:05.000Z' } },
  areaServed: { type: 'Property', value: 'Centro' },
  dateObserved: { type: 'Property', value: { '@type': 'DateTime', '@value': '2026-03-02T09:14:05.000Z' } },
});

/** The request path, the same for every mode. */
export const PARKING_SPOT_PATH = `/ngsi-ld/v1/entities/${PARKING_SPOT_ID}`;
