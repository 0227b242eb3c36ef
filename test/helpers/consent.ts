/**
 * Citizens and the supplier app of the consent fixture (test/fixtures/contracts-consent)
 * against a running harness: citizens give and withdraw consent through the citizen API,
 * the app's tokens come from the gateway's local issuer, resting on the consents named.
 */
import { issueLocalToken, LOCAL_ISSUER_KEY_NAME } from '../../src/issuer/index.js';
import { loadOrCreateSigningKey } from '../../src/keys/index.js';
import { token, type Harness } from './harness.js';

export const DPV = 'https://w3id.org/dpv#';

/** The fixture's consent: the supplier app, for service provision, the meter's energy and owner. */
export const TO_SUPPLIER = {
  recipient: 'supplier-app',
  purposes: ['dpv:ServiceProvision'],
  personalData: [{ type: 'EnergyMeter', attributes: ['totalActiveEnergyImport', 'owner'] }],
};

export const meter = (id: string, owner: string) => ({
  id, type: 'EnergyMeter',
  owner: { type: 'Relationship', object: owner },
  totalActiveEnergyImport: { type: 'Property', value: 1234.5 },
  serialNumber: { type: 'Property', value: `S-${id.slice(-3)}` },
  address: { type: 'Property', value: { streetAddress: 'Main St 1' } },
});

export interface ConsentActors {
  citizen: (sub: string) => Promise<string>;
  /** The supplier app's token from the local issuer, resting on the given consents. */
  app: (consents: string[], purpose?: string) => Promise<string>;
  give: (sub: string, body: Record<string, unknown>) => Promise<{ status: number; json: () => any }>;
  withdraw: (sub: string, id: string) => Promise<{ status: number; json: () => any }>;
}

export function consentActors(h: () => Harness): ConsentActors {
  // The citizen's own tool: a token with the consent API's scope.
  const citizen = (sub: string) => token(h().issuer, { sub, roles: [], extra: { scope: 'consents' } });
  return {
    citizen,
    app: async (consents, purpose = 'dpv:ServiceProvision') => {
      const key = await loadOrCreateSigningKey(h().config.keysDir, LOCAL_ISSUER_KEY_NAME);
      return issueLocalToken(key, h().config.localIssuer, { sub: 'supplier-app', roles: ['viewer'], purpose, consents, ttlSec: 300 });
    },
    give: async (sub, body) => h().call('POST', '/consents', { token: await citizen(sub), body }),
    withdraw: async (sub, id) => h().call('POST', `/consents/${encodeURIComponent(id)}/withdraw`, { token: await citizen(sub) }),
  };
}
