/**
 * The one base of every error mimtrust raises on purpose. Each carries a stable `code`
 * (tests, clients and the CLI match on it, never on the message), and a message written
 * by us that is safe to show: it never quotes a token, a secret or file content.
 * Anything thrown that is not a CodedError is a bug, shown only as an internal error.
 */
export abstract class CodedError<C extends string = string> extends Error {
  abstract readonly code: C;
}

export function isCodedError(err: unknown): err is CodedError {
  return err instanceof CodedError;
}
