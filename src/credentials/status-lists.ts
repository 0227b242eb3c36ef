/**
 * Revocation through Bitstring Status Lists. Every receipt gets an entry on one of the
 * gateway's lists (allocated at a random free index when its consent is given); a
 * withdrawn or expired consent sets the entry's bit. Every credential the operator issues
 * gets one too, under its id in a namespace of its own (`issued:`), so that revoking by id
 * reaches only what was issued that way: a receipt's bit follows its consent and nothing
 * else, and an issued credential that takes a receipt's id shares nothing with it. The
 * lists are served as signed BitstringStatusListCredentials, signed again only when their
 * bits change. Verification reads the bit itself from the list held here:
 * vc-bitstring-status-list's checkStatus answers `verified: true` for a revoked
 * credential, and a list the gateway does not hold is never fetched, so a credential
 * naming one fails.
 */
import { randomInt } from 'node:crypto';
import { BitstringStatusList } from '@digitalbazaar/vc-bitstring-status-list';
import { CredentialError } from './errors.js';
import { VC_V2_CONTEXT } from './contexts.js';
import { bitAt, type StatusEntry, type StatusListStore } from './status-store.js';

export const STATUS_PATH = '/credentials/status';

/** A `credentialStatus` entry, as receipts carry it. */
export interface StatusListEntry {
  id: string;
  type: 'BitstringStatusListEntry';
  statusPurpose: 'revocation';
  statusListIndex: string;
  statusListCredential: string;
}

export interface StatusListsOptions {
  store: StatusListStore;
  /** The gateway's public base URL (known once it listens). */
  baseUrl: () => string;
  issuer: () => string;
  /** Signs a credential with the city's key. */
  sign: (credential: Record<string, unknown>, date: string) => Promise<Record<string, unknown>>;
}

/** Where the entries of credentials issued through the VC-API are kept, apart from receipts'. */
const ISSUED = 'issued:';

const random = (): number => randomInt(0, 2 ** 32) / 2 ** 32;

export class StatusLists {
  private readonly signed = new Map<string, { revision: number; credential: Record<string, unknown> }>();

  constructor(private readonly opts: StatusListsOptions) {}

  listUrl(list: string): string {
    return `${this.opts.baseUrl()}${STATUS_PATH}/${list}`;
  }

  private entryJson(e: StatusEntry): StatusListEntry {
    const url = this.listUrl(e.list);
    return { id: `${url}#${e.index}`, type: 'BitstringStatusListEntry', statusPurpose: 'revocation', statusListIndex: String(e.index), statusListCredential: url };
  }

  /** The credential's status entry, allocated on first ask. */
  async entryFor(credentialId: string, now: number): Promise<StatusListEntry> {
    return this.entryJson(await this.opts.store.allocate(credentialId, new Date(now).toISOString(), random));
  }

  /** Gives the credential its entry now, so that it is the same whenever it is asked for. */
  async allocate(credentialId: string, now: number): Promise<void> {
    await this.opts.store.allocate(credentialId, new Date(now).toISOString(), random);
  }

  /** Sets the credential's revocation bit. */
  async revoke(credentialId: string, now: number): Promise<void> {
    await this.opts.store.setBit(credentialId, new Date(now).toISOString(), random);
  }

  /** The entry of a credential issued through the VC-API, allocated on first ask. */
  async issuedEntry(credentialId: string, now: number): Promise<StatusListEntry> {
    return this.entryFor(`${ISSUED}${credentialId}`, now);
  }

  /** The state of an issued credential's entry; undefined when no credential was issued under that id. */
  async issuedState(credentialId: string): Promise<{ entry: StatusListEntry; revoked: boolean } | undefined> {
    const state = await this.opts.store.entry(`${ISSUED}${credentialId}`);
    return state === undefined ? undefined : { entry: this.entryJson(state), revoked: state.revoked };
  }

  /**
   * Sets an issued credential's bit (set already: nothing changes) and answers its entry;
   * undefined, and nothing allocated, when no credential was issued under that id.
   */
  async revokeIssued(credentialId: string, now: number): Promise<StatusListEntry | undefined> {
    const state = await this.opts.store.entry(`${ISSUED}${credentialId}`);
    if (state === undefined) return undefined;
    if (!state.revoked) await this.revoke(`${ISSUED}${credentialId}`, now);
    return this.entryJson(state);
  }

  /** The list as a signed BitstringStatusListCredential; undefined when there is no such list. */
  async listCredential(list: string): Promise<Record<string, unknown> | undefined> {
    const bits = await this.opts.store.bits(list);
    if (bits === undefined) return undefined;
    const kept = this.signed.get(list);
    if (kept !== undefined && kept.revision === bits.revision) return kept.credential;
    const url = this.listUrl(list);
    const encodedList = await new BitstringStatusList({ buffer: bits.bits }).encode();
    const credential = await this.opts.sign({
      '@context': [VC_V2_CONTEXT],
      id: url,
      type: ['VerifiableCredential', 'BitstringStatusListCredential'],
      issuer: this.opts.issuer(),
      validFrom: bits.updatedAt,
      credentialSubject: { id: `${url}#list`, type: 'BitstringStatusList', statusPurpose: 'revocation', encodedList },
    }, bits.updatedAt);
    this.signed.set(list, { revision: bits.revision, credential });
    return credential;
  }

  /**
   * Whether the entry's bit is set, read from the list held here. A list this gateway
   * does not hold, or an entry that is not a revocation entry of one, is a CredentialError.
   */
  async isSet(entry: unknown): Promise<boolean> {
    const e = entry as Partial<StatusListEntry> | null;
    if (e === null || typeof e !== 'object' || e.type !== 'BitstringStatusListEntry' || typeof e.statusListCredential !== 'string') {
      throw new CredentialError('status_unsupported', 'The credential names a status the gateway cannot check.');
    }
    if (e.statusPurpose !== 'revocation' && e.statusPurpose !== 'suspension') throw new CredentialError('status_unsupported', 'The credential names a status purpose the gateway cannot check.');
    const prefix = `${this.opts.baseUrl()}${STATUS_PATH}/`;
    const list = e.statusListCredential.startsWith(prefix) ? e.statusListCredential.slice(prefix.length) : undefined;
    const index = typeof e.statusListIndex === 'string' && /^(0|[1-9][0-9]{0,9})$/.test(e.statusListIndex) ? Number(e.statusListIndex) : NaN;
    const bits = list === undefined || !/^[1-9][0-9]{0,8}$/.test(list) ? undefined : await this.opts.store.bits(list);
    if (bits === undefined) throw new CredentialError('status_list_unknown', 'The credential names a status list the gateway does not hold; none is fetched.');
    if (!(index < bits.bits.length * 8)) throw new CredentialError('status_index_invalid', 'The credential\'s status index is not on its list.');
    // A suspension entry on a revocation list would read the wrong bit.
    if (e.statusPurpose !== 'revocation') throw new CredentialError('status_unsupported', 'The gateway\'s lists are revocation lists.');
    return bitAt(bits.bits, index);
  }
}
