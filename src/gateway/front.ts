/**
 * The front of every decision: who is calling (and on which consents), what the request
 * touches, what its names mean, what the broker holds, and whether it may happen. The proxy continues from here to
 * the broker; the decision point over HTTP answers here. One list, so the two cannot
 * decide the same request differently.
 */
import type { TokenVerifier } from '../auth/index.js';
import type { Decided, Received } from './exchange.js';
import { pipeline, type Pipeline } from './pipeline.js';
import { authenticate } from './stages/authenticate.js';
import { declareRecipient } from './stages/recipient.js';
import { classifyRequest } from './stages/classify.js';
import { expandNames } from './stages/expand.js';
import { decideOnStoredTypes, type StoredTypesDeps } from './stages/stored-types.js';
import { decideRequest } from './stages/decide.js';
import { lookUpConsents, type ConsentLookup } from './stages/consents.js';

export interface FrontDeps extends StoredTypesDeps {
  basePath: string;
  verifier: TokenVerifier;
  /** The consents tokens rest on (src/consent); undefined: consent-bound permissions never apply. */
  consents?: ConsentLookup | undefined;
}

export function decisionFront(d: FrontDeps): Pipeline<Received, Decided> {
  return pipeline<Received>()
    .then('authenticate', authenticate(d))
    .then('recipient', declareRecipient())
    .then('consents', lookUpConsents(d))
    .then('classify', classifyRequest(d))
    .then('expand', expandNames(d))
    .then('stored-types', decideOnStoredTypes(d))
    .then('decide', decideRequest(d));
}
