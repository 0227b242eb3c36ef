/**
 * Obligations fetch what they read. A spatial obligation places each entity by its
 * `location`, and the view reads each entity's `type` to know what it may show; a caller
 * projecting the answer (`attrs`, `pick`, `omit`) may leave them out, and every entity
 * would then be hidden. So the broker is asked for what the obligations read as well, and
 * the response filter takes it out again (`Fetched`):
 * - `attrs` and `pick` get the attribute added where they do not name it, and `pick` the
 *   `type` member (`attrs` always leaves it);
 * - `omit` loses them where it names them whole (an `omit` of sub-attributes keeps them);
 * - in a query body (batch query), the same members, as strings or arrays.
 * A broker returns for `attrs` only entities holding one of them, so an entity returned
 * only for the added attribute is dropped again (`matchedBy`). An aggregation is not
 * widened: the broker would aggregate the geometry, which places nothing. Pure.
 */
import { parseJson, isObject } from '../lib/index.js';
import { splitList, projectionAttrs, projectionItems, type Operation } from '../ngsi/index.js';
import type { Fetched } from '../filter/index.js';

type Query = ReadonlyArray<readonly [string, string]>;

/** An attribute to fetch: its IRI, and the term the caller's @context compacts it to. */
export interface Read {
  iri: string;
  term: string;
}

export interface ReadsInput {
  operation: Operation;
  query: Query;
  /** The request body as forwarded (query-shaped for a batch query). */
  body: string | undefined;
  options: readonly string[];
  reads: readonly Read[];
  /** Entity members (`type`) the filter reads, as the broker names them. */
  members: readonly string[];
  /** Expands a name as the caller wrote it (the caller's @context). */
  expand: (term: string) => string;
}

export interface Widened {
  query: Query;
  body: string | undefined;
  fetched: Fetched;
}

const BY_QUERY: ReadonlySet<Operation> = new Set<Operation>(['entity.query', 'entity.retrieve', 'temporal.query', 'temporal.retrieve']);
const BY_BODY: ReadonlySet<Operation> = new Set<Operation>(['batch.query', 'temporal.batch.query']);

/** What was added, while the parameters are widened. */
class Additions {
  readonly attrs = new Set<string>();
  readonly members = new Set<string>();
  matchedBy: Set<string> | undefined;
}

/** Members a `pick` naming `names` lacks, recorded as added. */
function lackingMembers(names: readonly string[], input: ReadsInput, added: Additions): string[] {
  if (names.length === 0) return [];
  const missing = input.members.filter((m) => !names.includes(m));
  for (const m of missing) added.members.add(m);
  return missing;
}

/** Terms of the reads a projection naming `names` lacks, recorded as added; none when it projects nothing. */
function lacking(names: readonly string[], input: ReadsInput, added: Additions, matching: boolean): string[] {
  if (names.length === 0) return [];
  const named = new Set(names.map(input.expand));
  const missing = input.reads.filter((r) => !named.has(r.iri));
  if (missing.length === 0) return [];
  for (const r of missing) added.attrs.add(r.iri);
  if (matching) added.matchedBy = named;
  return missing.map((r) => r.term);
}

/** Whether an omitted item is one of the reads, named whole; recorded as added when it is. */
function omitsRead(item: string, input: ReadsInput, added: Additions): boolean {
  const name = item.trim();
  if (name.includes('{')) return false;
  if (input.members.includes(name)) {
    added.members.add(name);
    return true;
  }
  const iri = input.expand(name);
  if (!input.reads.some((r) => r.iri === iri)) return false;
  added.attrs.add(iri);
  return true;
}

/** A parameter or body string widened (undefined: unchanged; '': nothing left). */
function widenText(name: 'attrs' | 'pick' | 'omit', value: string, input: ReadsInput, added: Additions): string | undefined {
  if (name === 'omit') {
    const items = projectionItems(value);
    const kept = items.filter((item) => !omitsRead(item.text, input, added));
    if (kept.length === items.length) return undefined;
    return kept.map((item, i) => (i === 0 ? '' : item.separator) + item.text).join('');
  }
  const names = name === 'attrs' ? splitList(value, 'attrs') : projectionAttrs(value, 'pick');
  const terms = lacking(names, input, added, name === 'attrs');
  if (name === 'pick') terms.push(...lackingMembers(names, input, added));
  return terms.length === 0 ? undefined : [value, ...terms].join(',');
}

/** A body member given as an array of names, widened (undefined: unchanged). */
function widenList(name: 'attrs' | 'pick' | 'omit', items: readonly string[], input: ReadsInput, added: Additions): string[] | undefined {
  if (name === 'omit') {
    const kept = items.filter((item) => !omitsRead(item, input, added));
    return kept.length === items.length ? undefined : kept;
  }
  const names = name === 'attrs' ? items : projectionAttrs(items.join(','), 'pick');
  const terms = lacking(names, input, added, name === 'attrs');
  if (name === 'pick') terms.push(...lackingMembers(names, input, added));
  return terms.length === 0 ? undefined : [...items, ...terms];
}

const PROJECTIONS = ['attrs', 'pick', 'omit'] as const;
type Projection = typeof PROJECTIONS[number];
const isProjection = (name: string): name is Projection => (PROJECTIONS as readonly string[]).includes(name);

function widenQuery(input: ReadsInput, added: Additions): Query | undefined {
  let changed = false;
  const out: Array<readonly [string, string]> = [];
  for (const [name, value] of input.query) {
    const next = isProjection(name) ? widenText(name, value, input, added) : undefined;
    if (next === undefined) {
      out.push([name, value]);
      continue;
    }
    changed = true;
    if (next !== '') out.push([name, next]);
  }
  return changed ? out : undefined;
}

function widenBody(input: ReadsInput, added: Additions): string | undefined {
  if (input.body === undefined) return undefined;
  const body = parseJson(input.body);
  if (!isObject(body)) return undefined;
  let changed = false;
  for (const name of PROJECTIONS) {
    const v = body[name];
    let next: string | string[] | undefined;
    if (typeof v === 'string') next = widenText(name, v, input, added);
    else if (Array.isArray(v) && v.every((x) => typeof x === 'string')) next = widenList(name, v as string[], input, added);
    if (next === undefined) continue;
    changed = true;
    if (next.length === 0) delete body[name];
    else body[name] = next;
  }
  return changed ? JSON.stringify(body) : undefined;
}

function aggregates(input: ReadsInput): boolean {
  return input.options.includes('aggregatedValues') || input.query.some(([n]) => n === 'aggrMethods');
}

/** The request widened to fetch what the obligations read; undefined when it already does. */
export function widenForReads(input: ReadsInput): Widened | undefined {
  if ((input.reads.length === 0 && input.members.length === 0) || aggregates(input)) return undefined;
  const added = new Additions();
  const query = BY_QUERY.has(input.operation) || BY_BODY.has(input.operation) ? widenQuery(input, added) : undefined;
  const body = BY_BODY.has(input.operation) ? widenBody(input, added) : undefined;
  if (added.attrs.size === 0 && added.members.size === 0) return undefined;
  const fetched: Fetched = { attrs: added.attrs, members: added.members, ...(added.matchedBy === undefined ? {} : { matchedBy: added.matchedBy }) };
  return { query: query ?? input.query, body: body ?? input.body, fetched };
}
