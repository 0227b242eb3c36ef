/**
 * Where status lists are kept (src/store implements it on SQLite): which list and index
 * each credential has, and each list's bits. An index is handed out once and never
 * again; a bit, once set, stays set.
 */

export interface StatusEntry {
  /** The list's id, as its URL ends (`/credentials/status/{list}`). */
  list: string;
  index: number;
}

/** A credential's entry as it stands: `revoked` once its bit is set (it stays set). */
export interface StatusEntryState extends StatusEntry {
  revoked: boolean;
}

export interface StatusListBits {
  /** The list's bits, index 0 the most significant bit of the first byte (as Bitstring Status List encodes them). */
  bits: Uint8Array;
  /** Counts the changes to the bits; a signed copy of the list is kept until it changes. */
  revision: number;
  /** ISO 8601: when the bits last changed (or the list was made). */
  updatedAt: string;
}

export interface StatusListStore {
  /** The credential's entry; allocated on first ask at a free index drawn with `random` (in [0, 1)). */
  allocate(credentialId: string, at: string, random: () => number): Promise<StatusEntry>;
  /** Sets the credential's bit, allocating its entry first if it has none. */
  setBit(credentialId: string, at: string, random: () => number): Promise<StatusEntry>;
  /** The credential's entry, without allocating one; undefined when it has none. */
  entry(credentialId: string): Promise<StatusEntryState | undefined>;
  bits(list: string): Promise<StatusListBits | undefined>;
}

/** Bits per list: the specification's minimum, so an index tells little about who holds it. */
export const STATUS_LIST_LENGTH = 131_072;

/** Whether bit `index` is set, read as Bitstring Status List orders bits. */
export function bitAt(bits: Uint8Array, index: number): boolean {
  const byte = bits[index >> 3];
  if (byte === undefined || index < 0) throw new RangeError('status index out of range');
  return (byte & (0x80 >> (index & 7))) !== 0;
}

/** Sets bit `index` in place. */
export function setBitAt(bits: Uint8Array, index: number): void {
  if (index < 0 || index >> 3 >= bits.length) throw new RangeError('status index out of range');
  bits[index >> 3] = (bits[index >> 3] as number) | (0x80 >> (index & 7));
}
