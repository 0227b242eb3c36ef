/**
 * What a citizen agreed to on the consent screen, kept beside the oidc-provider grant it
 * belongs to (oidc-provider's Grant holds scopes only): the purpose and the ids of the
 * consent records given. Every access token issued on the grant, refreshed ones
 * included, names them.
 */
import type { Adapter } from 'oidc-provider';

export interface GrantTerms {
  /** DPV purpose IRI. */
  purpose: string;
  consents: string[];
}

export class GrantTermsStore {
  constructor(private readonly adapter: Adapter) {}

  async put(grantId: string, terms: GrantTerms, ttlSec: number): Promise<void> {
    await this.adapter.upsert(grantId, { grantId, ...terms }, ttlSec);
  }

  async get(grantId: string): Promise<GrantTerms | undefined> {
    const found = (await this.adapter.find(grantId)) as (GrantTerms & { grantId: string }) | undefined;
    if (!found || !Array.isArray(found.consents) || typeof found.purpose !== 'string') return undefined;
    return { purpose: found.purpose, consents: found.consents };
  }
}
