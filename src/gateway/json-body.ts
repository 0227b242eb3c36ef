/**
 * The one way a JSON body from outside becomes a value: invalid JSON and JSON nested
 * deeper than the gateway walks both end as a 400 naming which, never as a crash.
 */
import { MimtrustError } from '../errors/index.js';
import { JsonTooDeepError, MAX_JSON_DEPTH, parseJson } from '../lib/index.js';

export function parseRequestJson(bytes: Buffer): unknown {
  try {
    return parseJson(bytes.toString('utf8'), MAX_JSON_DEPTH);
  } catch (err) {
    if (err instanceof JsonTooDeepError) {
      throw new MimtrustError('BAD_REQUEST', `The request body is nested deeper than ${MAX_JSON_DEPTH} levels.`, { reason: 'json_too_deep' });
    }
    throw new MimtrustError('BAD_REQUEST', 'The request body is not valid JSON.', { reason: 'invalid_json' });
  }
}
