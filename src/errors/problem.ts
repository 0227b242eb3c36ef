/**
 * Every error mimtrust answers with is an NGSI-LD ProblemDetails document. Errors are
 * typed: each carries a stable `code` that tests and clients can match, the HTTP status,
 * and the NGSI-LD error type URI. `detail` is written by us, never copied from input, so
 * a token, secret or forbidden value cannot leak through it.
 */
import { CodedError } from './coded.js';

const NGSI_ERRORS = 'https://uri.etsi.org/ngsi-ld/errors/';
const MIMTRUST_ERRORS = 'https://mimtrust.org/errors/';

export interface ProblemDetails {
  type: string;
  title: string;
  status: number;
  detail: string;
  code: string;
  instance?: string;
  requestId?: string;
  decisionId?: string;
  /** Extension members (RFC 9457 §3.2) a refusal adds: its reason, the rules, the attribute or parameter. */
  [extension: string]: unknown;
}

export interface ProblemSpec {
  status: number;
  /** NGSI-LD error type name (under the ETSI namespace) or a mimtrust one. */
  type: string;
  title: string;
  ngsi: boolean;
}

/** The stable error codes, one place. */
export const PROBLEMS = {
  BAD_REQUEST: { status: 400, type: 'BadRequestData', title: 'Bad request data', ngsi: true },
  INVALID_REQUEST: { status: 400, type: 'InvalidRequest', title: 'Invalid request', ngsi: true },
  LD_CONTEXT_NOT_AVAILABLE: { status: 503, type: 'LdContextNotAvailable', title: 'JSON-LD @context not available', ngsi: true },
  UNAUTHENTICATED: { status: 401, type: 'Unauthenticated', title: 'Authentication required', ngsi: false },
  INVALID_TOKEN: { status: 401, type: 'InvalidToken', title: 'Invalid access token', ngsi: false },
  INVALID_DPOP_PROOF: { status: 401, type: 'InvalidDpopProof', title: 'Invalid DPoP proof', ngsi: false },
  FORBIDDEN: { status: 403, type: 'Forbidden', title: 'Access denied', ngsi: false },
  NOT_FOUND: { status: 404, type: 'ResourceNotFound', title: 'Resource not found', ngsi: true },
  CONFLICT: { status: 409, type: 'AlreadyExists', title: 'Already exists', ngsi: true },
  METHOD_NOT_ALLOWED: { status: 405, type: 'OperationNotSupported', title: 'Operation not supported', ngsi: true },
  NOT_ACCEPTABLE: { status: 406, type: 'NotAcceptable', title: 'Not acceptable', ngsi: false },
  REQUEST_TIMEOUT: { status: 408, type: 'RequestTimeout', title: 'Request timeout', ngsi: false },
  PAYLOAD_TOO_LARGE: { status: 413, type: 'PayloadTooLarge', title: 'Request body too large', ngsi: false },
  UNSUPPORTED_MEDIA_TYPE: { status: 415, type: 'UnsupportedMediaType', title: 'Unsupported media type', ngsi: false },
  HEADERS_TOO_LARGE: { status: 431, type: 'RequestHeaderFieldsTooLarge', title: 'Request header fields too large', ngsi: false },
  TOO_MANY_REQUESTS: { status: 429, type: 'TooManyRequests', title: 'Too many requests', ngsi: false },
  INTERNAL: { status: 500, type: 'InternalError', title: 'Internal error', ngsi: true },
  BAD_GATEWAY: { status: 502, type: 'BadGateway', title: 'Upstream broker unreachable', ngsi: false },
  GATEWAY_TIMEOUT: { status: 504, type: 'GatewayTimeout', title: 'Upstream broker timed out', ngsi: false },
  SERVICE_UNAVAILABLE: { status: 503, type: 'ServiceUnavailable', title: 'Service unavailable', ngsi: false },
} as const satisfies Record<string, ProblemSpec>;

export type ProblemCode = keyof typeof PROBLEMS;

export function problemTypeUri(spec: ProblemSpec): string {
  return (spec.ngsi ? NGSI_ERRORS : MIMTRUST_ERRORS) + spec.type;
}

/**
 * A failure that becomes a ProblemDetails response. `reason` is a short machine-readable
 * reason recorded in the audit log (e.g. `token_expired`, `role_denied`).
 */
export class MimtrustError extends CodedError<ProblemCode> {
  readonly code: ProblemCode;
  readonly status: number;
  readonly reason: string;
  /** Extra response headers, e.g. WWW-Authenticate on a 401. */
  readonly headers: Record<string, string>;
  /** Extension members of the ProblemDetails answer; they never replace a standard one. */
  readonly extensions: Readonly<Record<string, unknown>> | undefined;

  constructor(code: ProblemCode, detail: string, opts: { reason?: string; headers?: Record<string, string>; cause?: unknown; extensions?: Readonly<Record<string, unknown>> } = {}) {
    super(detail, opts.cause === undefined ? undefined : { cause: opts.cause });
    this.name = 'MimtrustError';
    this.code = code;
    this.status = PROBLEMS[code].status;
    this.reason = opts.reason ?? code.toLowerCase();
    this.headers = opts.headers ?? {};
    this.extensions = opts.extensions;
  }
}

export function toProblem(err: MimtrustError, ids: { requestId?: string; decisionId?: string } = {}): ProblemDetails {
  const spec = PROBLEMS[err.code];
  const p: ProblemDetails = {
    ...err.extensions,
    type: problemTypeUri(spec),
    title: spec.title,
    status: spec.status,
    detail: err.message,
    code: err.code,
  };
  if (ids.requestId) p.requestId = ids.requestId;
  if (ids.decisionId) p.decisionId = ids.decisionId;
  return p;
}

/** Anything thrown that is not a MimtrustError is an internal error; its message is not shown. */
export function asMimtrustError(err: unknown): MimtrustError {
  if (err instanceof MimtrustError) return err;
  return new MimtrustError('INTERNAL', 'The request could not be processed.', { reason: 'internal_error', cause: err });
}
