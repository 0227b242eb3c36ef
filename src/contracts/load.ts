/**
 * The I/O edge of contracts: read documents from a folder (and from the store, for those
 * created through the admin API), resolve each one's `ngsi:context` into a term expander
 * with the gateway's context resolver, and compile them all into one snapshot. Any error
 * names the file; nothing half-loaded is ever returned.
 */
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import type { ContextResolver } from '../context/index.js';
import { compileContracts, type ContractInput } from './snapshot.js';
import { compileContract } from './compile-contract.js';
import { ContractError } from './errors.js';
import { placeContract, type ApiPlacement } from './namespace.js';
import type { PolicySnapshot, CompiledContract } from './model.js';
import type { PartyNames } from './parties.js';

export interface ContractDocument {
  /** File name (relative to the folder) or `api:<provider>/<uid>`. */
  source: string;
  doc: unknown;
  /** Set for a contract made through the admin API: whose it is. */
  api?: ApiPlacement;
}

const CONTRACT_FILE = /\.(jsonld|json)$/;

/** Every contract file in `dir`, sorted by name, parsed as JSON. A missing folder holds none. */
export function readContractDir(dir: string): ContractDocument[] {
  let names: string[];
  try {
    names = readdirSync(dir).filter((n) => CONTRACT_FILE.test(n)).sort();
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return [];
    throw err;
  }
  const docs: ContractDocument[] = [];
  for (const name of names) {
    const path = join(dir, name);
    if (!statSync(path).isFile()) continue;
    let doc: unknown;
    try {
      doc = JSON.parse(readFileSync(path, 'utf8'));
    } catch (err) {
      throw new ContractError('ERR_CONTRACT_MALFORMED', { source: name }, name, `is not valid JSON (${(err as Error).message.split('\n')[0]})`);
    }
    docs.push({ source: name, doc });
  }
  return docs;
}

/** The `ngsi:context` of a document, in any of the spellings the profile accepts. */
function ngsiContextOf(doc: unknown): unknown {
  if (typeof doc !== 'object' || doc === null || Array.isArray(doc)) return undefined;
  const d = doc as Record<string, unknown>;
  return d['ngsi:context'] ?? d['context'] ?? d['https://mimtrust.org/ns/odrl-ngsi-ld#context'];
}

async function toInput(d: ContractDocument, resolver: ContextResolver): Promise<ContractInput> {
  let active;
  try {
    active = await resolver.resolve(ngsiContextOf(d.doc));
  } catch (err) {
    throw new ContractError('ERR_CONTRACT_BAD_VALUE', { source: d.source }, 'ngsi:context', `its ngsi:context cannot be used: ${(err as Error).message}`);
  }
  return { source: d.source, doc: d.doc, expand: (t) => active.expandTerm(t), api: d.api };
}

/** Validate and compile one document (admin API, `contracts validate`). */
export async function compileDocument(d: ContractDocument, resolver: ContextResolver, parties: PartyNames): Promise<CompiledContract> {
  const input = await toInput(d, resolver);
  return placeContract(compileContract(input.source, input.doc, input.expand, parties), input.api);
}

/** Compile a whole set into a snapshot (duplicate uids are an error). */
export async function compileDocuments(docs: readonly ContractDocument[], resolver: ContextResolver, parties: PartyNames): Promise<PolicySnapshot> {
  const inputs: ContractInput[] = [];
  for (const d of docs) inputs.push(await toInput(d, resolver));
  return compileContracts(inputs, parties);
}
