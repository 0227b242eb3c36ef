/**
 * Names a citizen can read for the parties in their records: a consent's recipient
 * (`@issuer-name/client`) and the client a read was made by, resolved through the city's
 * own issuer's clients to their name and organisation; anyone else by what the record says.
 */
import type { PartyName } from './pages.js';

export interface NamedClient {
  displayName: string;
  organisation?: string;
}

export interface PartyNames {
  recipientName: (recipient: string) => PartyName;
  readerName: (issuer: string | undefined, clientId: string | undefined) => PartyName;
}

export function partyNames(clients: ReadonlyMap<string, NamedClient>, issuer: { id: string; name: string }): PartyNames {
  const named = (clientId: string): PartyName | undefined => {
    const c = clients.get(clientId);
    if (c === undefined) return undefined;
    return c.organisation === undefined ? { name: c.displayName } : { name: c.displayName, organisation: c.organisation };
  };
  const prefix = `@${issuer.name}/`;
  return {
    recipientName: (recipient) => (recipient.startsWith(prefix) ? named(recipient.slice(prefix.length)) : undefined) ?? { name: recipient },
    readerName: (iss, clientId) => (iss === issuer.id && clientId !== undefined ? named(clientId) : undefined) ?? { name: clientId ?? iss ?? '' },
  };
}
