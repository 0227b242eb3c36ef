/**
 * Checking a contract document before it is put in force (`mimtrust contracts validate`,
 * `POST /admin/contracts/validate`): every problem of it in one pass, each at its line and
 * column, with the name probably meant; and warnings for names that compile but resolve to
 * nothing known, which would otherwise fail silently (a misspelt attribute in `isNoneOf`
 * hides nothing; a rule for a role nobody holds grants nothing):
 *
 * - entity types and attributes the contract's context does not define (they fall into the
 *   NGSI-LD default vocabulary): an error when the context is a Smart Data Models one,
 *   whose models define every name they have;
 * - roles no line of roles.csv grants anything to, and string assignees that are (or
 *   nearly are) a role name: a party id, not the holders of that role;
 * - types and attributes the broker does not know, when its discovery answers are given.
 */
import { didYouMean, jsonPointerPosition } from '../lib/index.js';
import type { ContextResolver } from '../context/index.js';
import { checkContract } from './compile-contract.js';
import { ContractError, shown, type ContractErrorCode } from './errors.js';
import { isAbsoluteIri, NGSI_LD_DEFAULT_VOCAB } from './expand.js';
import { currentExpansion, type ContractDocument, type CurrentExpansion } from './load.js';
import type { CompiledContract } from './model.js';
import { placeContract } from './namespace.js';
import { ISSUER_PREFIX, type PartyNames } from './parties.js';
import type { NameUse } from './reader.js';

export type ProblemSeverity = 'error' | 'warning';

/** Codes of what only validation finds; the other problems carry a ContractErrorCode. */
export type NameProblemCode =
  /** An entity type or attribute that expands into the NGSI-LD default vocabulary. */
  | 'ERR_CONTRACT_UNDEFINED_TERM'
  /** A role no line of roles.csv grants anything to. */
  | 'ERR_CONTRACT_UNKNOWN_ROLE'
  /** A string assignee (a party id) equal or close to a role name. */
  | 'ERR_CONTRACT_ASSIGNEE_LOOKS_LIKE_ROLE'
  /** An entity type or attribute the broker's discovery does not list. */
  | 'ERR_CONTRACT_UNKNOWN_TO_BROKER';

/** One problem, as `contracts validate --json` prints it and the admin API answers it. */
export interface ContractProblem {
  file: string;
  /** 1-based; 1 when the problem is the document's as a whole. */
  line: number;
  column: number;
  severity: ProblemSeverity;
  code: ContractErrorCode | NameProblemCode;
  message: string;
  suggestion?: string;
}

/** What the broker's discovery lists, as expanded IRIs (GET /ngsi-ld/v1/types?details=true, /attributes). */
export interface BrokerNames {
  types: ReadonlySet<string>;
  attributes: ReadonlySet<string>;
}

export interface ValidationEnv {
  resolver: ContextResolver;
  parties: PartyNames;
  /** The roles roles.csv grants something to; undefined: roles are not checked. */
  roles?: ReadonlySet<string>;
  broker?: BrokerNames;
}

export interface Validation {
  /** The compiled contract when it has no error (warnings allowed). */
  contract: CompiledContract | undefined;
  problems: ContractProblem[];
}

/** Hosts and paths of the Smart Data Models contexts (the published ones and their repositories). */
const SMART_DATA_MODELS = /^https:\/\/([a-z0-9-]+\.)*smartdatamodels\.org\/|^https:\/\/(raw\.githubusercontent\.com|github\.com|smart-data-models\.github\.io)\/smart-data-models\//i;

export function isSmartDataModelsContext(url: string): boolean {
  return SMART_DATA_MODELS.test(url);
}

function contextUrls(ctx: unknown): string[] {
  if (typeof ctx === 'string') return [ctx];
  return Array.isArray(ctx) ? ctx.filter((c): c is string => typeof c === 'string') : [];
}

/** The terms a context defines (inline and remote), for suggestions. */
function definedTerms(values: Iterable<unknown>): Set<string> {
  const out = new Set<string>();
  const walk = (v: unknown): void => {
    if (Array.isArray(v)) v.forEach(walk);
    else if (v !== null && typeof v === 'object') for (const k of Object.keys(v)) if (!k.startsWith('@')) out.add(k);
  };
  for (const v of values) walk(v);
  return out;
}

function placeIn(text: string, file: string, pointer: string | undefined, onKey: boolean): Pick<ContractProblem, 'file' | 'line' | 'column'> {
  if (pointer === undefined) return { file, line: 1, column: 1 };
  const at = jsonPointerPosition(text, pointer);
  const pos = onKey && at.key ? at.key : at.value;
  return { file, line: pos.line, column: pos.column };
}

/** A ContractError as a problem: placed by its own line and column (JSON that does not parse) or its pointer. */
export function problemOf(err: ContractError, text: string | undefined, severity: ProblemSeverity = 'error'): ContractProblem {
  const place = err.line !== undefined
    ? { file: err.source, line: err.line, column: err.column ?? 1 }
    : text === undefined ? { file: err.source, line: 1, column: 1 } : placeIn(text, err.source, err.pointer, err.onKey);
  return {
    ...place,
    severity,
    code: err.code,
    message: err.rule === undefined ? err.detail : `rule "${shown(err.rule)}": ${err.detail}`,
    ...(err.suggestion !== undefined ? { suggestion: err.suggestion } : {}),
  };
}

const WHAT: Record<'type' | 'attribute', string> = { type: 'entity type', attribute: 'attribute' };

/** Warnings (errors, for Smart Data Models contexts) about names that resolve to nothing known. */
function nameProblems(names: readonly NameUse[], expansion: CurrentExpansion, env: ValidationEnv): Array<Omit<ContractProblem, 'file' | 'line' | 'column'> & { pointer: string }> {
  const out: Array<Omit<ContractProblem, 'file' | 'line' | 'column'> & { pointer: string }> = [];
  const sdm = [...contextUrls(expansion.context), ...expansion.documents.keys()].some(isSmartDataModelsContext);
  const terms = definedTerms([expansion.context, ...expansion.documents.values()]);
  const roles = env.roles ?? new Set<string>();
  const add = (n: NameUse, severity: ProblemSeverity, code: NameProblemCode, message: string, suggestion: string | undefined): void => {
    // Worded as a ContractError's detail is, so both read alike.
    const meant = suggestion === undefined || message.includes(`"${shown(suggestion)}"`) ? '' : `; did you mean "${shown(suggestion)}"?`;
    out.push({ pointer: n.pointer, severity, code, message: message + meant, ...(suggestion !== undefined ? { suggestion } : {}) });
  };
  for (const n of names) {
    switch (n.kind) {
      case 'type':
      case 'attribute': {
        const iri = n.iri ?? '';
        // A term the context maps to the default vocabulary on purpose is defined.
        if (!isAbsoluteIri(n.term) && iri.startsWith(NGSI_LD_DEFAULT_VOCAB) && !terms.has(n.term)) {
          add(n, sdm ? 'error' : 'warning', 'ERR_CONTRACT_UNDEFINED_TERM',
            `${WHAT[n.kind]} "${shown(n.term)}" is not defined by the contract's context${sdm ? ' (a Smart Data Models context, which defines every name of its models)' : ''}: it expands to ${shown(iri)}, the NGSI-LD default vocabulary`,
            didYouMean(n.term, terms));
        }
        const known = env.broker ? (n.kind === 'type' ? env.broker.types : env.broker.attributes) : undefined;
        if (known && !known.has(iri)) {
          add(n, 'warning', 'ERR_CONTRACT_UNKNOWN_TO_BROKER', `the broker knows no ${WHAT[n.kind]} ${shown(iri)} ("${shown(n.term)}")`, didYouMean(iri, known));
        }
        break;
      }
      case 'role':
        if (env.roles && !roles.has(n.term)) {
          add(n, 'warning', 'ERR_CONTRACT_UNKNOWN_ROLE', `no line of roles.csv grants anything to role "${shown(n.term)}", so no caller holds it`, didYouMean(n.term, roles));
        }
        break;
      case 'assignee': {
        if (!env.roles) break;
        // `@issuer/name` names a party of that issuer: the name is what could be a role.
        const slash = n.term.startsWith(ISSUER_PREFIX) ? n.term.indexOf('/') : -1;
        const id = slash < 0 ? n.term : n.term.slice(slash + 1);
        const role = roles.has(id) ? id : didYouMean(id, roles);
        if (role !== undefined) {
          add(n, 'warning', 'ERR_CONTRACT_ASSIGNEE_LOOKS_LIKE_ROLE',
            `assignee "${shown(n.term)}" is a party id, matched against the caller's subject, not a role; holders of role "${shown(role)}" are assigned with a PartyCollection refined by ngsi:role`,
            role);
        }
        break;
      }
    }
  }
  return out;
}

/**
 * Every problem of one document, errors and warnings, each placed in `d.text` (or, for a
 * document without text, in its JSON as serialised with two-space indentation). The
 * document's context must be retrievable now: when it is not, that is the one problem.
 */
export async function validateDocument(d: ContractDocument, env: ValidationEnv): Promise<Validation> {
  const text = d.text ?? JSON.stringify(d.doc, null, 2);
  let expansion: CurrentExpansion;
  try {
    expansion = await currentExpansion(d, env.resolver);
  } catch (err) {
    if (!(err instanceof ContractError)) throw err;
    return { contract: undefined, problems: [problemOf(err, text)] };
  }
  const check = checkContract(d.source, d.doc, expansion.expand, env.parties);
  const problems = check.problems.map((p) => problemOf(p, text));
  let contract = check.contract;
  if (contract !== undefined) {
    try {
      contract = placeContract(contract, d.api);
    } catch (err) {
      if (!(err instanceof ContractError)) throw err;
      problems.push(problemOf(err, text));
      contract = undefined;
    }
  }
  for (const { pointer, ...p } of nameProblems(check.names, expansion, env)) problems.push({ ...placeIn(text, d.source, pointer, false), ...p });
  problems.sort((a, b) => a.line - b.line || a.column - b.column);
  return { contract: problems.some((p) => p.severity === 'error') ? undefined : contract, problems };
}
