import { describe, it, expect, afterEach } from 'vitest';
import { startHarness, token, type Harness } from '../helpers/harness.js';

let h: Harness | undefined;
afterEach(async () => {
  await h?.close().catch(() => undefined);
  h = undefined;
});

describe('broker failures', () => {
  it('answers 502 when the broker is down', async () => {
    h = await startHarness();
    await h.broker.close();
    const t = await token(h.issuer);
    const res = await h.call('GET', '/ngsi-ld/v1/entities?type=ParkingSpot', { token: t });
    expect(res.status).toBe(502);
    expect(res.json()).toMatchObject({ status: 502, title: expect.any(String) });
  });

  it('answers 504 when the broker is too slow, and does not hang', async () => {
    h = await startHarness({ upstream: { responseTimeoutMs: 400, connectTimeoutMs: 500 } });
    // The broker would answer 200 after 3 s: a 504 proves the gateway stopped waiting first.
    h.broker.setDelay(3000);
    const res = await h.call('GET', '/ngsi-ld/v1/entities?type=ParkingSpot', { token: await token(h.issuer) });
    expect(res.status).toBe(504);
    expect(res.json().status).toBe(504);
  });
});
