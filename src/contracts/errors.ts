/**
 * Load-time errors for usage contracts. Every one names the document it came from, the
 * rule (uid, or kind and index when the rule has none) and the offending term, so a
 * provider can fix a contract without guessing.
 */
import { CodedError, MimtrustError } from '../errors/index.js';

export type ContractErrorCode =
  | 'ERR_CONTRACT_MALFORMED'
  | 'ERR_CONTRACT_UNKNOWN_TERM'
  | 'ERR_CONTRACT_BAD_VALUE'
  | 'ERR_CONTRACT_BAD_PATTERN'
  | 'ERR_CONTRACT_UNKNOWN_ISSUER'
  | 'ERR_CONTRACT_DUPLICATE_UID'
  /** A provider's contract reaches beyond what the provider owns (a type, tenant or entity id). */
  | 'ERR_CONTRACT_NOT_OWNED'
  /** The uid is taken: by a contract file, or by an existing contract on create. */
  | 'ERR_CONTRACT_UID_TAKEN'
  /** The file was refused or could not be read (a link out of the folder, not a regular file, too large). */
  | 'ERR_CONTRACT_UNREADABLE'
  /** The document's remote `ngsi:context` could not be retrieved (it may be later). */
  | 'ERR_CONTRACT_CONTEXT_UNAVAILABLE';

/**
 * Where in a document a problem sits. `rule` is undefined for document-level problems;
 * `line` and `column` place a fault in a file that is not valid JSON; `pointer` is the
 * JSON Pointer of the offending value (or member name) in a parsed document.
 */
export interface ContractLocation {
  source: string;
  rule?: string;
  line?: number;
  column?: number;
  pointer?: string;
  /** The pointer names a member whose name, not value, is at fault (a key outside the profile). */
  key?: boolean;
}

const MAX_TERM = 120;

/** A term as a message quotes it: bounded, and on one line (no control characters to forge log lines). */
export function shown(term: string): string {
  // eslint-disable-next-line no-control-regex
  const clean = term.replace(/[\u0000-\u001f\u007f-\u009f\u2028\u2029]/g, (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`);
  return clean.length > MAX_TERM ? `${clean.slice(0, MAX_TERM)}…` : clean;
}

function placeOf(at: ContractLocation): string {
  const position = at.line === undefined ? '' : `:${at.line}:${at.column ?? 1}`;
  const source = shown(at.source);
  return at.rule === undefined ? `${source}${position}` : `${source}${position}: rule "${shown(at.rule)}"`;
}

export class ContractError extends CodedError<ContractErrorCode> {
  readonly code: ContractErrorCode;
  readonly source: string;
  readonly rule: string | undefined;
  readonly term: string;
  readonly line: number | undefined;
  readonly column: number | undefined;
  readonly pointer: string | undefined;
  readonly onKey: boolean;
  /** What is wrong, with the term and any suggestion, without the place. */
  readonly detail: string;
  /** The known name nearest to a misspelt one, or a hint at what was meant. */
  readonly suggestion: string | undefined;
  private readonly explanation: string;
  private readonly given: string | { hint: string } | undefined;

  /**
   * `term` is quoted in the message unless empty (file-level problems quote nothing of the
   * file); `suggestion`, a name from the profile or the contract's own context, is offered
   * as what was probably meant; a `hint` says in words what to change.
   */
  constructor(code: ContractErrorCode, at: ContractLocation, term: string, explanation: string, suggestion?: string | { hint: string }) {
    const hint = typeof suggestion === 'object' ? suggestion.hint : undefined;
    const meant = typeof suggestion === 'string' ? `; did you mean "${shown(suggestion)}"?` : hint === undefined || explanation.includes(hint) ? '' : `; ${hint}`;
    const detail = `${explanation}${term === '' ? '' : ` ("${shown(term)}")`}${meant}`;
    super(`${placeOf(at)}: ${detail}`);
    this.name = 'ContractError';
    this.code = code;
    this.source = at.source;
    this.rule = at.rule;
    this.term = term;
    this.line = at.line;
    this.column = at.column;
    this.pointer = at.pointer;
    this.onKey = at.key === true;
    this.detail = detail;
    this.suggestion = typeof suggestion === 'string' ? suggestion : hint;
    this.given = suggestion;
    this.explanation = explanation;
  }

  /** The same problem placed at a value of the document (for errors raised where the place was not known). */
  locatedAt(at: Omit<ContractLocation, 'source'>): ContractError {
    const place: ContractLocation = { source: this.source, ...at };
    if (place.rule === undefined && this.rule !== undefined) place.rule = this.rule;
    return new ContractError(this.code, place, this.term, this.explanation, this.given);
  }

  /** The same problem as a ProblemDetails for the admin API: 400; 403 beyond what the provider owns, 409 for a taken uid, 503 while a context cannot be retrieved. */
  toMimtrustError(): MimtrustError {
    const problem = this.code === 'ERR_CONTRACT_NOT_OWNED' ? 'FORBIDDEN'
      : this.code === 'ERR_CONTRACT_UID_TAKEN' ? 'CONFLICT'
      : this.code === 'ERR_CONTRACT_CONTEXT_UNAVAILABLE' ? 'LD_CONTEXT_NOT_AVAILABLE'
      : 'BAD_REQUEST';
    return new MimtrustError(problem, this.message, { reason: this.code.toLowerCase(), cause: this });
  }
}
