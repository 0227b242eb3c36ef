/**
 * The two ways filtering refuses a response. A body the filter cannot read is an internal
 * error rather than passed through (a leak is worse than a failure); a single resource the
 * view hides answers as if it did not exist, so its existence does not leak either.
 */
import { MimtrustError } from '../errors/index.js';

export function unfilterable(what: string): MimtrustError {
  return new MimtrustError('INTERNAL', `The broker response (${what}) could not be filtered.`, { reason: 'unfilterable_response' });
}

/**
 * The one "not found" answer for a single resource, whether the view hides it or the
 * broker has none: only the audit record's `reason` tells them apart.
 */
export function notVisible(reason = 'filtered_out'): MimtrustError {
  return new MimtrustError('NOT_FOUND', 'The requested resource was not found.', { reason });
}
