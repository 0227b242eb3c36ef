/** The trusted issuers' key sets are fetched at start, so the first request does not wait on them. */
import { describe, it, expect } from 'vitest';
import { startHarness, token } from '../helpers/harness.js';

describe('key sets at start', () => {
  it('fetches each remote key set once before the first request, and not again for it', async () => {
    const h = await startHarness();
    try {
      expect(h.issuer.fetches).toBe(1);
      const res = await h.call('GET', '/ngsi-ld/v1/types', { token: await token(h.issuer) });
      expect(res.status).toBe(200);
      expect(h.issuer.fetches).toBe(1);
    } finally {
      await h.close();
    }
  });
});
