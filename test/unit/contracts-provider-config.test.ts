import { describe, it, expect } from 'vitest';
import { buildConfig, ConfigError } from '../../src/config/index.js';
import { contextResolverFor } from '../../src/context/index.js';
import { resolveProviders } from '../../src/contracts/index.js';

const V = 'https://uri.etsi.org/ngsi-ld/default-context/';

async function providers(list: unknown[]) {
  const config = buildConfig({ providers: list }, { baseDir: '/x' });
  return resolveProviders(config.providers, await contextResolverFor(config.contexts));
}

describe('providers from the configuration', () => {
  it('expands type names with the core context or the provider\'s own, and tenants to their one spelling', async () => {
    const p = await providers([
      { id: 'parking', owns: [{ tenants: ['@default', 'Parking'], types: ['ParkingSpot', `${V}OffStreetParking`] }] },
      {
        id: 'transit',
        context: { Tram: 'https://smartdatamodels.org/dataModel.Transportation/Tram' },
        owns: [{ tenants: ['transit'], types: ['Tram'], idPatterns: ['urn:ngsi-ld:Tram:transit:.*'] }],
      },
    ]);
    expect([...(p.get('parking')?.owns.keys() ?? [])]).toEqual(['@default', 'parking']);
    expect([...(p.get('parking')?.owns.get('parking')?.keys() ?? [])]).toEqual([`${V}ParkingSpot`, `${V}OffStreetParking`]);
    const tram = p.get('transit')?.owns.get('transit')?.get('https://smartdatamodels.org/dataModel.Transportation/Tram');
    expect(tram?.map((x) => x.source)).toEqual(['urn:ngsi-ld:Tram:transit:.*']);
    expect(tram?.[0]?.test('urn:ngsi-ld:Tram:transit:4')).toBe(true);
  });

  it('stops on what cannot be used, naming the key', async () => {
    await expect(providers([{ id: 'p', owns: [{ tenants: ['a'], types: ['T'], idPatterns: ['(a)\\1'] }] }]))
      .rejects.toThrowError(/"providers\.0\.owns\.0\.idPatterns\.0": pattern refused \(backreference\)/);
    await expect(providers([{ id: 'p', owns: [{ tenants: ['a'], types: ['@id'] }] }]))
      .rejects.toThrowError(/"providers\.0\.owns\.0\.types\.0": does not expand to an IRI/);
    await expect(providers([{ id: 'p', context: 'https://contexts.example/not-allowed.jsonld', owns: [{ tenants: ['a'], types: ['T'] }] }]))
      .rejects.toThrowError(/"providers\.0\.context": cannot be used/);
  });

  it('stops when two providers may own the same entity', async () => {
    const err = await providers([
      { id: 'a', owns: [{ tenants: ['x'], types: ['T'], idPatterns: ['urn:t:a:.*'] }] },
      { id: 'b', owns: [{ tenants: ['x'], types: ['T'], idPatterns: ['urn:t:.*'] }] },
    ]).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(ConfigError);
    expect((err as ConfigError).key).toBe('providers.1.owns');
    expect((err as Error).message).toContain(`${V}T in tenant x`);
    await expect(providers([
      { id: 'a', owns: [{ tenants: ['x'], types: ['T'], idPatterns: ['urn:t:a:.*'] }] },
      { id: 'b', owns: [{ tenants: ['x'], types: ['T'], idPatterns: ['urn:t:b:.*'] }] },
    ])).resolves.toHaveProperty('size', 2);
  });
});
