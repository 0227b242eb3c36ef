// Benchmark child: the in-memory NGSI-LD broker, seeded with the ParkingSpot and the
// entities the parent passes (`entities`).
import { startMiniBroker } from '../../test/helpers/mini-broker.mjs';
import { runAsChild } from './child-runtime.mjs';
import { PARKING_SPOT } from './parking-spot.mjs';

runAsChild(async (options) => {
  // Recording every request would grow without bound under load.
  const broker = await startMiniBroker({ record: false });
  broker.seed(PARKING_SPOT);
  for (const entity of options.entities ?? []) broker.seed(entity);
  return { info: { url: broker.url }, close: () => broker.close() };
});
