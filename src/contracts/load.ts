/**
 * The I/O edge of contracts: read documents from a folder (and from the store, for those
 * created through the admin API), resolve each one's `ngsi:context` into a term expander
 * with the gateway's context resolver, and compile each document on its own, so that one
 * bad document never stands in the way of the others.
 *
 * A file is read only when its real path lies inside the real contracts folder (links
 * within the folder, such as a Kubernetes ConfigMap's `..data`, are fine; a link to
 * `/etc/passwd` is refused by name), is a regular file and is at most
 * MAX_CONTRACT_FILE_BYTES long. Errors about a file name it and, for JSON that does not
 * parse, the line and column: nothing of its content.
 */
import { closeSync, constants, fstatSync, openSync, readdirSync, readSync, realpathSync } from 'node:fs';
import { basename, dirname, isAbsolute, join, relative, sep } from 'node:path';
import type { ActiveContext, ContextResolver } from '../context/index.js';
import { canonicalDigest, jsonErrorPosition, JsonTooDeepError, MAX_JSON_DEPTH, parseJson } from '../lib/index.js';
import { MimtrustError } from '../errors/index.js';
import { compileContract } from './compile-contract.js';
import { ContractError } from './errors.js';
import type { TermExpander } from './expand.js';
import type { CompiledContract } from './model.js';
import type { PartyNames } from './parties.js';
import { placeContract, type ApiPlacement } from './namespace.js';
import type { ContractCopies } from './store.js';

export interface ContractDocument {
  /** File name (relative to the folder) or `api:<provider>/<uid>`. */
  source: string;
  doc: unknown;
  /** Set for a contract made through the admin API: whose it is. */
  api?: ApiPlacement;
  /** The text it was parsed from, when read from a file: validation places problems in it. */
  text?: string;
}

/** A contract file that could not be read as a JSON document. */
export interface UnreadableDocument {
  source: string;
  error: ContractError;
}

export type DocumentRead = ContractDocument | UnreadableDocument;

export interface FolderRead {
  /** False when the folder does not exist (not the same as an empty folder). */
  present: boolean;
  /** One entry per contract file, sorted by name. */
  files: DocumentRead[];
}

/** Larger contract files are refused (a contract with detailed areas stays far below). */
export const MAX_CONTRACT_FILE_BYTES = 4 * 1024 * 1024;

const CONTRACT_FILE = /\.(jsonld|json)$/;

function unreadable(source: string, explanation: string): UnreadableDocument {
  return { source, error: new ContractError('ERR_CONTRACT_UNREADABLE', { source }, '', explanation) };
}

function isInside(folder: string, path: string): boolean {
  const rel = relative(folder, path);
  return rel !== '' && rel !== '..' && !rel.startsWith(`..${sep}`) && !isAbsolute(rel);
}

/** Reads at most `max` bytes of an open file; undefined when there are more. */
function readAtMost(fd: number, max: number): Buffer | undefined {
  const buffer = Buffer.alloc(Math.min(fstatSync(fd).size, max) + 1);
  let length = 0;
  for (;;) {
    if (length === buffer.length) return undefined;
    const n = readSync(fd, buffer, length, buffer.length - length, null);
    if (n === 0) return buffer.subarray(0, length);
    length += n;
    if (length > max) return undefined;
  }
}

function parseDocument(source: string, text: string): DocumentRead {
  try {
    return { source, doc: parseJson(text), text };
  } catch (err) {
    if (err instanceof JsonTooDeepError) return unreadable(source, `is nested deeper than ${MAX_JSON_DEPTH} levels`);
    // The engine's message quotes the text around the fault: only the position is kept.
    const at = jsonErrorPosition(text) ?? { line: 1, column: 1 };
    return { source, error: new ContractError('ERR_CONTRACT_MALFORMED', { source, ...at }, '', 'not valid JSON') };
  }
}

function readContractFile(realFolder: string, name: string): DocumentRead {
  let real: string;
  try {
    real = realpathSync(join(realFolder, name));
  } catch {
    return unreadable(name, 'cannot be read (a broken link, or removed while being read)');
  }
  if (!isInside(realFolder, real)) return unreadable(name, 'is a link to a file outside the contracts folder: refused');
  let fd: number;
  try {
    // No link may be followed any more, and opening a FIFO must not block.
    fd = openSync(real, constants.O_RDONLY | constants.O_NOFOLLOW | constants.O_NONBLOCK);
  } catch {
    return unreadable(name, 'cannot be read');
  }
  try {
    if (!fstatSync(fd).isFile()) return unreadable(name, 'is not a regular file');
    const bytes = readAtMost(fd, MAX_CONTRACT_FILE_BYTES);
    if (bytes === undefined) return unreadable(name, `is larger than ${MAX_CONTRACT_FILE_BYTES} bytes`);
    return parseDocument(name, bytes.toString('utf8'));
  } catch {
    return unreadable(name, 'cannot be read');
  } finally {
    closeSync(fd);
  }
}

/** Every contract file in `dir`, sorted by name, each parsed as JSON or refused on its own. */
export function readContractDir(dir: string): FolderRead {
  let names: string[];
  let realFolder: string;
  try {
    realFolder = realpathSync(dir);
    names = readdirSync(realFolder).filter((n) => CONTRACT_FILE.test(n)).sort();
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return { present: false, files: [] };
    throw err;
  }
  return { present: true, files: names.map((name) => readContractFile(realFolder, name)) };
}

/** One contract file named on its own (`mimtrust contracts validate FILE`), read as a file of its folder is. */
export function readContractFileAt(path: string): DocumentRead {
  let folder: string;
  try {
    folder = realpathSync(dirname(path));
  } catch {
    return unreadable(basename(path), 'cannot be read');
  }
  return readContractFile(folder, basename(path));
}

/** The `ngsi:context` of a document, in any of the spellings the profile accepts. */
export function ngsiContextOf(doc: unknown): unknown {
  if (typeof doc !== 'object' || doc === null || Array.isArray(doc)) return undefined;
  const d = doc as Record<string, unknown>;
  return d['ngsi:context'] ?? d['context'] ?? d['https://mimtrust.org/ns/odrl-ngsi-ld#context'];
}

/** The key a context value's copies are kept under: its URL, or the digest of an inline value. */
function contextKey(ctx: unknown): string {
  return typeof ctx === 'string' ? ctx : `sha256:${canonicalDigest(ctx)}`;
}

function badContext(source: string, err: unknown): ContractError {
  const detail = err instanceof MimtrustError ? err.message : 'it could not be processed';
  if (err instanceof MimtrustError && err.reason === 'context_unavailable') {
    return new ContractError('ERR_CONTRACT_CONTEXT_UNAVAILABLE', { source }, 'ngsi:context', `its ngsi:context cannot be retrieved now: ${detail}`);
  }
  return new ContractError('ERR_CONTRACT_BAD_VALUE', { source }, 'ngsi:context', `its ngsi:context cannot be used: ${detail}`);
}

/** A name the context cannot expand (shaped like a keyword, a blank node) is the document's fault. */
function expanderOf(active: ActiveContext, source: string): TermExpander {
  return (term) => {
    try {
      return active.expandTerm(term);
    } catch {
      throw new ContractError('ERR_CONTRACT_BAD_VALUE', { source }, term, 'this name cannot be expanded');
    }
  };
}

/** How a document's names expand with its context as retrievable now, and the remote documents that context was built from. */
export interface CurrentExpansion {
  expand: TermExpander;
  context: unknown;
  documents: ReadonlyMap<string, unknown>;
}

/** Throws ContractError: ERR_CONTRACT_CONTEXT_UNAVAILABLE while a remote context cannot be retrieved, ERR_CONTRACT_BAD_VALUE for a context that cannot be used. */
export async function currentExpansion(d: ContractDocument, resolver: ContextResolver): Promise<CurrentExpansion> {
  const context = ngsiContextOf(d.doc);
  try {
    const documents = await resolver.remoteDocuments(context);
    return { expand: expanderOf(resolver.withDocuments(context, documents), d.source), context, documents };
  } catch (err) {
    throw badContext(d.source, err);
  }
}

type Expansion =
  | { kind: 'fresh'; expand: TermExpander }
  | { kind: 'cached'; expand: TermExpander; problem: ContractError }
  | { kind: 'unavailable'; problem: ContractError };

/**
 * The expander of a document's names. When its remote context cannot be retrieved, the
 * last copy kept in `copies` is used instead, if there is one; any other context problem
 * (not on the allow-list, not a valid context) is the document's own fault and throws.
 */
async function expansionOf(d: ContractDocument, resolver: ContextResolver, copies: ContractCopies | undefined): Promise<Expansion> {
  let now: CurrentExpansion;
  try {
    now = await currentExpansion(d, resolver);
  } catch (err) {
    if (!(err instanceof ContractError) || err.code !== 'ERR_CONTRACT_CONTEXT_UNAVAILABLE') throw err;
    const ctx = ngsiContextOf(d.doc);
    const copy = await copies?.contextDocuments(contextKey(ctx));
    if (copy === undefined) return { kind: 'unavailable', problem: err };
    try {
      return { kind: 'cached', expand: expanderOf(resolver.withDocuments(ctx, copy), d.source), problem: err };
    } catch {
      return { kind: 'unavailable', problem: err };
    }
  }
  if (now.documents.size > 0) await copies?.putContextDocuments(contextKey(now.context), now.documents, new Date().toISOString());
  return { kind: 'fresh', expand: now.expand };
}

/**
 * What a document contributes while its context is unavailable: no permission (nothing is
 * granted on names that cannot be expanded), and every prohibition, so that what it
 * forbids stays forbidden. Without a copy of the context its types and attributes cannot
 * be expanded, so each prohibition is widened to every type and the whole entity.
 */
function disabledForm(c: CompiledContract, prohibitions: 'cached' | 'widened'): CompiledContract {
  const rules = prohibitions === 'cached'
    ? c.prohibitions
    : c.prohibitions.map((p) => Object.freeze({ ...p, types: null, attrs: null }));
  const disabled: CompiledContract['disabled'] = { reason: 'context_unavailable', prohibitions };
  return Object.freeze({ ...c, permissions: Object.freeze([]), prohibitions: Object.freeze(rules), disabled });
}

export type DocumentOutcome =
  | { status: 'enabled'; contract: CompiledContract }
  /** Its context is unavailable: in force in its disabled form (see CompiledContract.disabled). */
  | { status: 'disabled'; contract: CompiledContract; problem: ContractError }
  | { status: 'failed'; problem: ContractError };

/**
 * Compiles one document, its party names resolved against `parties`; never throws a
 * ContractError (it becomes the outcome's problem).
 */
export async function loadDocument(d: ContractDocument, resolver: ContextResolver, parties: PartyNames, copies?: ContractCopies): Promise<DocumentOutcome> {
  try {
    const expansion = await expansionOf(d, resolver, copies);
    switch (expansion.kind) {
      case 'fresh':
        return { status: 'enabled', contract: placeContract(compileContract(d.source, d.doc, expansion.expand, parties), d.api) };
      // Placed after being disabled: a widened prohibition of a provider's contract is then
      // narrowed to what the provider owns, like any rule without a type.
      case 'cached': {
        const compiled = compileContract(d.source, d.doc, expansion.expand, parties);
        return { status: 'disabled', contract: placeContract(disabledForm(compiled, 'cached'), d.api), problem: expansion.problem };
      }
      case 'unavailable': {
        const structure = compileContract(d.source, d.doc, expanderOf(resolver.withDocuments(undefined, new Map()), d.source), parties);
        return { status: 'disabled', contract: placeContract(disabledForm(structure, 'widened'), d.api), problem: expansion.problem };
      }
    }
  } catch (err) {
    if (err instanceof ContractError) return { status: 'failed', problem: err };
    throw err;
  }
}

/** Validate and compile one document (admin API, `contracts validate`); its context must be available. */
export async function compileDocument(d: ContractDocument, resolver: ContextResolver, parties: PartyNames): Promise<CompiledContract> {
  const outcome = await loadDocument(d, resolver, parties);
  if (outcome.status !== 'enabled') throw outcome.problem;
  return outcome.contract;
}
