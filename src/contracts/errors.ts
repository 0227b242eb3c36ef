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
  | 'ERR_CONTRACT_UID_TAKEN';

/** Where in a document a problem sits. `rule` is undefined for document-level problems. */
export interface ContractLocation {
  source: string;
  rule?: string;
}

const MAX_TERM = 120;

function shown(term: string): string {
  return term.length > MAX_TERM ? `${term.slice(0, MAX_TERM)}…` : term;
}

export class ContractError extends CodedError<ContractErrorCode> {
  readonly code: ContractErrorCode;
  readonly source: string;
  readonly rule: string | undefined;
  readonly term: string;

  constructor(code: ContractErrorCode, at: ContractLocation, term: string, explanation: string) {
    const where = at.rule === undefined ? at.source : `${at.source}: rule "${at.rule}"`;
    super(`${where}: ${explanation} ("${shown(term)}")`);
    this.name = 'ContractError';
    this.code = code;
    this.source = at.source;
    this.rule = at.rule;
    this.term = term;
  }

  /** The same problem as a ProblemDetails for the admin API: 403 beyond ownership, 409 for a taken uid, else 400. */
  toMimtrustError(): MimtrustError {
    const problem = this.code === 'ERR_CONTRACT_NOT_OWNED' ? 'FORBIDDEN' : this.code === 'ERR_CONTRACT_UID_TAKEN' ? 'CONFLICT' : 'BAD_REQUEST';
    return new MimtrustError(problem, this.message, { reason: this.code.toLowerCase(), cause: this });
  }
}
