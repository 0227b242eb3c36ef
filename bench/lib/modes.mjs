/**
 * The measured modes, in the order a round runs them. Pairs that are compared sit next to
 * each other (bare then gateway, contracts then filtering), so background load that drifts
 * during a round hits both members of a pair alike.
 */

/**
 * Attributes of the benchmark entity that the filtering contract hides. They must match
 * the `isNoneOf` list of fixtures/contracts-filtering/; the preflight checks the gateway's
 * actual answer against this list, so a mismatch stops the run.
 */
export const FILTERED_ATTRIBUTES = Object.freeze(['refParkingSite', 'areaServed']);

/**
 * kind: which process serves the mode. `gateway` options are the child's configuration
 * (contractsDir relative to the repository); `hides` is what the response must lack
 * compared with the broker's entity.
 */
export const MODES = Object.freeze([
  { key: 'direct', label: 'direct (http)', kind: 'broker', hides: [] },
  { key: 'bare', label: 'bare proxy (https)', kind: 'bare', hides: [] },
  { key: 'gateway', label: 'gateway (https)', kind: 'gateway', gateway: { enforceContracts: false }, hides: [] },
  // The same gateway, called with a DPoP-bound token and a fresh proof per request.
  { key: 'dpop', label: 'gateway, DPoP proofs', kind: 'gateway', gateway: { enforceContracts: false }, hides: [], dpop: true },
  {
    key: 'gateway-os',
    label: 'gateway, audit.fsync off',
    kind: 'gateway',
    gateway: { enforceContracts: false, audit: { fsync: false } },
    hides: [],
  },
  {
    key: 'contracts',
    label: 'contracts, full view',
    kind: 'gateway',
    gateway: { enforceContracts: true, contractsDir: 'bench/fixtures/contracts-full' },
    hides: [],
  },
  {
    key: 'filtering',
    label: 'contracts, filtering',
    kind: 'gateway',
    gateway: { enforceContracts: true, contractsDir: 'bench/fixtures/contracts-filtering' },
    hides: FILTERED_ATTRIBUTES,
  },
]);

export const MODE_KEYS = Object.freeze(MODES.map((m) => m.key));

/**
 * The modes named in a comma list (any order, repeats ignored), returned in round order.
 * Undefined or empty selects all. Unknown names throw, so a typo does not silently
 * measure less.
 */
export function selectModes(list) {
  if (list === undefined || list.trim() === '') return MODES;
  const wanted = new Set(list.split(',').map((s) => s.trim()).filter(Boolean));
  const unknown = [...wanted].filter((k) => !MODE_KEYS.includes(k));
  if (unknown.length) throw new Error(`BENCH_MODES: unknown mode(s) ${unknown.join(', ')}; known: ${MODE_KEYS.join(', ')}`);
  if (wanted.size === 0) throw new Error(`BENCH_MODES names no mode; known: ${MODE_KEYS.join(', ')}`);
  return MODES.filter((m) => wanted.has(m.key));
}
