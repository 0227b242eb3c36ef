import { describe, expect, it } from 'vitest';
import { filterNotification, parseNotification } from '../../src/subscriptions/index.js';
import { AREA, MAX_POINTS, POINT_IN, POINT_OUT, makeExpander } from './filter-fixtures.js';

const expand = makeExpander();
const LINE_OUT = { type: 'LineString', coordinates: [[5, 5], [15, 5]] };

describe('filterNotification under an area the contracts in force now set', () => {
  const data = [
    { id: 'urn:in', type: 'ParkingSpot', location: { type: 'GeoProperty', value: POINT_IN }, route: { type: 'GeoProperty', value: LINE_OUT } },
    { id: 'urn:out', type: 'ParkingSpot', location: { type: 'GeoProperty', value: POINT_OUT } },
  ];
  const n = parseNotification({ id: 'urn:n', type: 'Notification', subscriptionId: 'urn:s', notifiedAt: '2026-01-01T00:00:00Z', data });

  it('delivers only what lies inside, with geographic attributes outside removed', async () => {
    const out = await filterNotification(n, { counters: [], auditLevel: 'normal', otherTypesWithin: [AREA] }, expand, 'normalized', MAX_POINTS);
    expect(out.body.data).toEqual([{ id: 'urn:in', type: 'ParkingSpot', location: { type: 'GeoProperty', value: POINT_IN } }]);
    expect(out).toMatchObject({ entities: 1, droppedEntities: 1, removedAttributes: 1 });
  });

  it('passes the notification as it is when nothing is to be cut', async () => {
    const out = await filterNotification(n, { counters: [], auditLevel: 'normal' }, expand, 'normalized', MAX_POINTS);
    expect(out.body).toBe(n.body);
  });
});
