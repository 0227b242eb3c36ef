// Benchmark child: the in-memory NGSI-LD broker, seeded with the ParkingSpot.
import { startMiniBroker } from '../../test/helpers/mini-broker.mjs';
import { runAsChild } from './child-runtime.mjs';
import { PARKING_SPOT } from './parking-spot.mjs';

runAsChild(async () => {
  // Recording every request would grow without bound under load.
  const broker = await startMiniBroker({ record: false });
  broker.seed(PARKING_SPOT);
  return { info: { url: broker.url }, close: () => broker.close() };
});
