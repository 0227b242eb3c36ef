/**
 * Small helpers shared by several folders, with no knowledge of mimtrust's domain; and the
 * interface of expiring keys (expiring-keys.ts), which the store implements for whatever
 * every process must agree on, and the single-use secrets kept in them (single-use.ts).
 */
export { watchFolder } from './watch-folder.js';
export { TtlCache } from './ttl-cache.js';
export { BoundedMemo } from './bounded-memo.js';
export { mapLimited } from './map-limited.js';
export { parseJson, jsonDepth, JsonTooDeepError, MAX_JSON_DEPTH } from './parse-json.js';
export { isObject, type JsonObject } from './is-object.js';
export { canonicalJson, canonicalDigest } from './canonical-json.js';
export { readBounded } from './read-bounded.js';
export { runSteps, runStepsInSlices, type Steps } from './steps.js';
export { jsonErrorPosition, jsonErrorOffset, positionAt, type TextPosition } from './json-error-position.js';
export { jsonPointer, pointerPath, jsonPointerPosition, type PointerSegment, type PointerPosition } from './json-pointer.js';
export { editDistance, didYouMean, MAX_SUGGESTION_DISTANCE } from './did-you-mean.js';
export { AttemptLimiter, type AttemptLimit } from './attempt-limiter.js';
export { StoredSingleUse, type SingleUseStore, type StoredSingleUseOptions, type Taken } from './single-use.js';
export { workerScript, type WorkerScript } from './worker-script.js';
export type { ExpiringKeys, KeyKind, TakeOnce } from './expiring-keys.js';
export { addressKey } from './address-key.js';
