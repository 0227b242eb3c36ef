/** Refusals of state every process of a deployment shares through the store (lib/expiring-keys.ts). */
import { MimtrustError } from './problem.js';

/** The store holding it could not be reached: what cannot be checked is refused. */
export function sharedStateUnavailable(cause?: unknown): MimtrustError {
  return new MimtrustError('SERVICE_UNAVAILABLE', 'State shared by the gateway\'s instances could not be reached; try again later.', { reason: 'shared_state_unavailable', cause });
}

/** A kind (sessions, sign-ins under way, login challenges) is at its bound: nobody's live one is dropped to make room. */
export function sharedStateFull(): MimtrustError {
  return new MimtrustError('SERVICE_UNAVAILABLE', 'Too many sign-ins, sessions or one-time codes are open right now; try again later.', { reason: 'shared_state_full', headers: { 'retry-after': '60' } });
}
