/** The DPoP proof limits from the options, checked once: asymmetric algorithms only, sane windows. */
import { MimtrustError } from '../errors/index.js';
import type { DpopLimits } from './dpop-proof.js';
import type { DpopOptions } from './types.js';

export const DEFAULT_DPOP_ALGORITHMS: readonly string[] = ['ES256', 'ES384', 'EdDSA', 'Ed25519', 'PS256', 'RS256'];
const ASYMMETRIC = /^(?:RS|PS|ES)(?:256|384|512)$|^EdDSA$|^Ed25519$/;

function configError(problem: string): MimtrustError {
  return new MimtrustError('INTERNAL', `DPoP: ${problem}.`, { reason: 'dpop_config_invalid' });
}

export function dpopLimits(o: DpopOptions = {}): DpopLimits {
  const algorithms = o.algorithms ?? DEFAULT_DPOP_ALGORITHMS;
  if (algorithms.length === 0) throw configError('algorithms must not be empty');
  for (const alg of algorithms) if (!ASYMMETRIC.test(alg)) throw configError(`algorithm "${alg}" is not an asymmetric signature algorithm`);
  const maxAgeSec = o.maxAgeSec ?? 60;
  const clockSkewSec = o.clockSkewSec ?? 5;
  if (!Number.isFinite(maxAgeSec) || maxAgeSec < 1) throw configError('maxAgeSec must be at least 1');
  if (!Number.isFinite(clockSkewSec) || clockSkewSec < 0) throw configError('clockSkewSec must not be negative');
  return { algorithms: new Set(algorithms), maxAgeSec, clockSkewSec };
}
