/**
 * The authenticate stage hands the verifier the URL a DPoP proof is made for: the client's
 * origin and the path, without query or fragment, whichever of '?' and '#' comes first.
 */
import { describe, expect, it } from 'vitest';
import { authenticate } from '../../src/gateway/stages/authenticate.js';
import type { PresentedRequest, TokenVerifier, VerifiedToken } from '../../src/auth/index.js';
import type { Received } from '../../src/gateway/exchange.js';

function urlSeen(url: string, origin: string | undefined): Promise<string | undefined> {
  let seen: string | undefined = 'not called';
  const verifier = {
    verifyRequest: async (p: PresentedRequest) => {
      seen = p.url;
      return { token: {} as VerifiedToken, binding: 'bearer' as const };
    },
  } as unknown as TokenVerifier;
  const r = { raw: { method: 'GET', url, headers: { authorization: 'Bearer t' } }, origin, certThumbprint: undefined } as unknown as Received;
  return authenticate({ verifier })(r).then(() => seen);
}

describe('authenticate: the URL a DPoP proof is checked against', () => {
  it.each([
    ['/ngsi-ld/v1/entities/urn:a', 'https://gw.example/ngsi-ld/v1/entities/urn:a'],
    ['/ngsi-ld/v1/entities?type=Car', 'https://gw.example/ngsi-ld/v1/entities'],
    ['/ngsi-ld/v1/entities#frag', 'https://gw.example/ngsi-ld/v1/entities'],
    ['/ngsi-ld/v1/entities?q=a#b', 'https://gw.example/ngsi-ld/v1/entities'],
    ['/ngsi-ld/v1/entities#a?q=b', 'https://gw.example/ngsi-ld/v1/entities'],
    ['/?', 'https://gw.example/'],
  ])('%s is checked as %s', async (url, expected) => {
    expect(await urlSeen(url, 'https://gw.example')).toBe(expected);
  });

  it('names no URL without a known origin or for a target that is not a path', async () => {
    expect(await urlSeen('/ngsi-ld/v1/entities', undefined)).toBeUndefined();
    expect(await urlSeen('*', 'https://gw.example')).toBeUndefined();
    expect(await urlSeen('http://other.example/x', 'https://gw.example')).toBeUndefined();
  });
});
