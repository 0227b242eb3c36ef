/**
 * Strict readers for the JSON shapes of a contract. Each either returns a typed value or
 * throws a ContractError naming the document, the rule and the term, so every check in
 * the compiler reads as one line.
 */
import { didYouMean, isObject, jsonPointer, type JsonObject } from '../lib/index.js';
import { ContractError, type ContractErrorCode, type ContractLocation } from './errors.js';
import type { TermExpander } from './expand.js';
import type { PartyNames } from './parties.js';
import { PROFILE_KEYS } from './vocabulary.js';

/** A name a contract uses that should mean something: checked by validation (validate.ts), not by compiling. */
export interface NameUse {
  kind: 'type' | 'attribute' | 'role' | 'assignee';
  /** As written. */
  term: string;
  /** Expanded, for types and attributes. */
  iri?: string;
  pointer: string;
}

/** Where the reader is, for error messages, and how names expand there. */
export interface ReadContext {
  source: string;
  rule?: string;
  /** JSON Pointer of the value being read ('' or absent: the document). */
  pointer?: string;
  /** The pointer names a member whose name is at fault. */
  key?: boolean;
  expand: TermExpander;
  /** The issuers party names may refer to. */
  parties: PartyNames;
  /**
   * Set when every problem is wanted: a problem inside `attempt` is added here and reading
   * goes on with the next part, instead of stopping at the first.
   */
  problems?: ContractError[];
  /** Set to gather the names used, with where they are. */
  names?: NameUse[];
}

function locationOf(at: ReadContext): ContractLocation {
  return {
    source: at.source,
    ...(at.rule !== undefined ? { rule: at.rule } : {}),
    ...(at.pointer !== undefined ? { pointer: at.pointer } : {}),
    ...(at.key ? { key: true } : {}),
  };
}

export function fail(code: ContractErrorCode, at: ReadContext, term: string, explanation: string, suggestion?: string | { hint: string }): never {
  throw new ContractError(code, locationOf(at), term, explanation, suggestion);
}

/**
 * Runs one independent part of the reading. When problems are gathered, a ContractError
 * is added to them (placed at `at` when it came from where the place was not known) and
 * undefined returned, so the reader can go on; otherwise the error stops everything.
 */
export function attempt<T>(at: ReadContext, part: () => T): T | undefined {
  if (at.problems === undefined) return part();
  try {
    return part();
  } catch (err) {
    if (!(err instanceof ContractError)) throw err;
    at.problems.push(err.pointer === undefined ? err.locatedAt(locationOf(at)) : err);
    return undefined;
  }
}

/** The original spelling of each canonical key of an object read by readKeys, for pointers. */
const spelledAs = new WeakMap<JsonObject, ReadonlyMap<string, string>>();

/** The context of one member of an object (`fields` as readKeys returned it, or as written). */
export function member(at: ReadContext, fields: JsonObject, name: string): ReadContext {
  return { ...at, pointer: `${at.pointer ?? ''}${jsonPointer([spelledAs.get(fields)?.get(name) ?? name])}` };
}

/** The context of each value of a list read by readList: one value written without an array is the list's own place. */
export function located(raw: unknown, list: readonly unknown[], at: ReadContext): Array<[unknown, ReadContext]> {
  return list.map((v, i) => [v, Array.isArray(raw) ? { ...at, pointer: `${at.pointer ?? ''}/${i}` } : at]);
}

/** Notes the names a right operand gives (one string, or an array of them), each where it is written. */
export function noteNames(at: ReadContext, kind: NameUse['kind'], raw: unknown, terms: readonly string[], expand?: TermExpander): void {
  if (at.names === undefined) return;
  located(unwrap(raw), terms, at).forEach(([term, place]) => {
    const t = term as string;
    at.names!.push({ kind, term: t, ...(expand ? { iri: expand(t) } : {}), pointer: place.pointer ?? '' });
  });
}

export { isObject, type JsonObject };

export function readObject(v: unknown, at: ReadContext, what: string): JsonObject {
  if (!isObject(v)) fail('ERR_CONTRACT_MALFORMED', at, what, `${what} must be a JSON object`);
  return v;
}

/**
 * Refuses any key outside `allowed`; `canonical` maps alternative spellings (`ngsi:period`,
 * `type`) to the names the caller uses. Returns the object re-keyed by canonical names.
 */
export function readKeys(obj: JsonObject, allowed: ReadonlySet<string>, at: ReadContext, canonical: (key: string) => string = (k) => k): JsonObject {
  const out: JsonObject = {};
  const spelling = new Map<string, string>();
  for (const [key, value] of Object.entries(obj)) {
    const name = canonical(key);
    // Each key on its own: every unknown one is reported, and the known ones still read.
    const here: ReadContext = { ...member(at, obj, key), key: true };
    attempt(here, () => {
      if (!allowed.has(name)) fail('ERR_CONTRACT_UNKNOWN_TERM', here, key, 'key outside the profile', didYouMean(key, allowed));
      if (name in out) fail('ERR_CONTRACT_MALFORMED', here, key, 'key given twice under different spellings');
      out[name] = value;
      spelling.set(name, key);
    });
  }
  spelledAs.set(out, spelling);
  return out;
}

/** One value or an array of them (JSON-LD sets), never empty. */
export function readList(v: unknown, at: ReadContext, what: string): unknown[] {
  const list = Array.isArray(v) ? v : [v];
  if (list.length === 0) fail('ERR_CONTRACT_MALFORMED', at, what, `${what} must not be empty`);
  return list;
}

/** An optional list member: absent or empty means none. */
export function readOptionalList(v: unknown, at: ReadContext, what: string): unknown[] {
  if (v === undefined || (Array.isArray(v) && v.length === 0)) return [];
  return readList(v, at, what);
}

/** A JSON-LD value object (`{"@value": x}`, `{"@id": x}`) read as its plain value. */
/** A term as an error message names it: strings as written, anything else by its kind. */
export function termText(v: unknown): string {
  if (typeof v === 'string') return v;
  if (Array.isArray(v) && v.every((x) => typeof x === 'string')) return v.join(',');
  return typeof v === 'number' || typeof v === 'boolean' ? String(v) : `(${Array.isArray(v) ? 'array' : typeof v})`;
}

export function unwrap(v: unknown): unknown {
  if (isObject(v)) {
    if ('@value' in v) return v['@value'];
    if ('@id' in v && Object.keys(v).length === 1) return v['@id'];
  }
  return v;
}

export function readString(v: unknown, at: ReadContext, what: string): string {
  const s = unwrap(v);
  if (typeof s !== 'string' || s.length === 0) fail('ERR_CONTRACT_BAD_VALUE', at, what, `${what} must be a non-empty string`);
  return s;
}

export function readTerm<T>(table: ReadonlyMap<string, T>, v: unknown, at: ReadContext, what: string): T {
  const s = unwrap(v);
  if (typeof s !== 'string') fail('ERR_CONTRACT_MALFORMED', at, what, `${what} must be a term`);
  const t = table.get(s);
  if (t === undefined) fail('ERR_CONTRACT_UNKNOWN_TERM', at, s, `unknown ${what}`, didYouMean(s, table.keys()));
  return t;
}

/**
 * The right operand as a list of strings: one string for `eq`/`isA`, a non-empty array
 * for the set operators.
 */
export function readStrings(v: unknown, single: boolean, at: ReadContext, what: string): string[] {
  if (single) {
    if (Array.isArray(v)) fail('ERR_CONTRACT_BAD_VALUE', at, what, `${what} takes one value with this operator`);
    return [readString(v, at, what)];
  }
  const list = unwrap(v);
  if (!Array.isArray(list) || list.length === 0) fail('ERR_CONTRACT_BAD_VALUE', at, what, `${what} takes a non-empty array with this operator`);
  return list.map((x) => readString(x, at, what));
}

/** Checks that an operator is one of those a left operand takes. */
export function requireOperator<T extends string>(op: T, allowed: readonly T[], at: ReadContext, left: string): void {
  if (!allowed.includes(op)) fail('ERR_CONTRACT_UNKNOWN_TERM', at, op, `operator not allowed with ${left} (use ${allowed.join(', ')})`);
}

/** The name a key is read under: `type` is `@type`; profile keys lose their prefix. */
export function profileKey(key: string): string {
  if (key === 'type') return '@type';
  return PROFILE_KEYS.get(key) ?? key;
}
