/**
 * Consent receipts into a citizen's own wallet by OID4VCI's pre-authorized code flow: the
 * module's one object. The wallet page asks it for an offer of a consent in force (a
 * pre-authorized code bound to the citizen and that consent, with a transaction code the
 * citizen reads on the page); the issuer's token endpoint redeems the code once; the
 * nonce endpoint hands out c_nonces; the credential endpoint checks the holder's key
 * proof and answers with the receipt bound to the holder's DID, carrying the consent's
 * status entry, so a withdrawal revokes this copy too.
 *
 * Codes and nonces are single-use secrets behind SingleUseStore, kept in the store every
 * process shares: an offer shown by one instance is redeemed at any, once, and a nonce
 * handed out by one is accepted once anywhere. A code is used up by any attempt, a wrong
 * transaction code included, so the code's six digits get one guess. Codes taken are
 * remembered until they would have expired, so a second redemption is told apart from an
 * unknown code and names whose it was, for the audit log.
 */
import { statusAt, type Citizen, type ConsentRecord } from '../../consent/index.js';
import { MimtrustError } from '../../errors/index.js';
import type { SingleUseStore } from '../../lib/index.js';
import type { DidDocument } from '../did-resolution.js';
import { Oid4vciError } from './errors.js';
import { issuerMetadata } from './metadata.js';
import { credentialOffer, newTxCode, offerUri, type CredentialOffer } from './offer.js';
import { checkProof } from './proof.js';
import { readCredentialRequest } from './request.js';

/** What a pre-authorized code stands for. */
export interface OfferedReceipt {
  citizen: Citizen;
  consentId: string;
  txCode: string;
}

export interface Offer {
  /** The consent whose receipt is offered. */
  record: ConsentRecord;
  offer: CredentialOffer;
  uri: string;
  txCode: string;
  expiresAt: number;
}

/** A redeemed code: whose consent the access token is for. */
export interface Redeemed {
  sub: string;
  consentId: string;
}

/** Why a redemption failed, and whose code it was when that is known (a second use). */
export class RedemptionRefused extends Oid4vciError {
  constructor(readonly reason: 'pre_authorized_code_unknown' | 'pre_authorized_code_used' | 'tx_code_invalid', message: string, readonly of?: Redeemed) {
    super('invalid_grant', message);
  }
}

export interface ReceiptSource {
  readonly baseUrl: string;
  resolveDid(did: string): Promise<DidDocument>;
  receiptOf(record: ConsentRecord, now: number, holder?: string): Promise<Record<string, unknown>>;
}

export interface ConsentLookup {
  own(c: Citizen, id: string, now?: number): Promise<ConsentRecord>;
}

export interface CredentialOffersOptions {
  consents: ConsentLookup;
  credentials: ReceiptSource;
  /** The city's OIDC issuer: the citizens' issuer and the authorization server. */
  authorizationServer: string;
  /** Single use, remembering the codes taken (`rememberUsed`): a second use is told apart from an unknown code. */
  codes: SingleUseStore<OfferedReceipt>;
  nonces: SingleUseStore<true>;
  codeTtlMs: number;
  nonceTtlMs: number;
  proofMaxAgeSec: number;
  /** The offer's hint to the wallet on where the transaction code is. */
  txCodeDescription?: string;
  now?: () => number;
}

const PROOF_SKEW_SEC = 60;

export class CredentialOffers {
  private readonly now: () => number;

  constructor(private readonly o: CredentialOffersOptions) {
    this.now = o.now ?? Date.now;
  }

  get credentialIssuer(): string {
    return this.o.credentials.baseUrl;
  }

  metadata(): Record<string, unknown> {
    return issuerMetadata(this.credentialIssuer, this.o.authorizationServer);
  }

  /** An offer of the receipt of one of the citizen's consents in force; anything else is refused. */
  async offer(citizen: Citizen, consentId: string): Promise<Offer> {
    const now = this.now();
    const record = await this.o.consents.own(citizen, consentId, now);
    if (statusAt(record, now) !== 'given') {
      throw new MimtrustError('FORBIDDEN', 'Only a consent in force can be taken into a wallet.', { reason: 'consent_not_in_force' });
    }
    const txCode = newTxCode();
    const expiresAt = now + this.o.codeTtlMs;
    const code = await this.o.codes.issue({ citizen, consentId: record.id, txCode }, expiresAt, `${citizen.issuer} ${citizen.sub}`);
    const offer = credentialOffer(this.credentialIssuer, code, this.o.txCodeDescription);
    return { record, offer, uri: offerUri(offer), txCode, expiresAt };
  }

  /** Uses the code up and answers whose consent it was for; any failure is a RedemptionRefused. */
  async redeem(code: string, txCode: string | undefined): Promise<Redeemed> {
    const taken = await this.o.codes.take(code);
    if (taken.state === 'unknown') throw new RedemptionRefused('pre_authorized_code_unknown', 'The pre-authorized code is unknown or expired.');
    const offered = taken.value;
    const redeemed = { sub: offered.citizen.sub, consentId: offered.consentId };
    if (taken.state === 'used') throw new RedemptionRefused('pre_authorized_code_used', 'The pre-authorized code was already used.', redeemed);
    if (offered.citizen.issuer !== this.o.authorizationServer) throw new RedemptionRefused('pre_authorized_code_unknown', 'The pre-authorized code is unknown or expired.');
    if (typeof txCode !== 'string' || txCode !== offered.txCode) {
      throw new RedemptionRefused('tx_code_invalid', 'The transaction code is missing or wrong; the offer is used up, ask for a new one.', redeemed);
    }
    return redeemed;
  }

  /** A fresh c_nonce. */
  async nonce(): Promise<{ c_nonce: string }> {
    const now = this.now();
    return { c_nonce: await this.o.nonces.issue(true, now + this.o.nonceTtlMs) };
  }

  /**
   * The receipt for the credential request `body`, made with an access token of the
   * pre-authorized grant for the citizen `sub` and the consent `consentId`.
   */
  async credential(sub: string, consentId: string, body: unknown): Promise<{ credentials: Array<{ credential: Record<string, unknown> }> }> {
    const request = readCredentialRequest(body);
    const now = this.now();
    const proof = await checkProof(request.proof, {
      audience: this.credentialIssuer, now, maxAgeSec: this.o.proofMaxAgeSec, skewSec: PROOF_SKEW_SEC,
      resolveDid: (did) => this.o.credentials.resolveDid(did),
    });
    if ((await this.o.nonces.take(proof.nonce)).state !== 'open') throw new Oid4vciError('invalid_nonce', 'The proof\'s nonce is not one handed out here, or it is used up or expired.');
    let record: ConsentRecord;
    try {
      record = await this.o.consents.own({ issuer: this.o.authorizationServer, sub }, consentId, now);
    } catch (err) {
      if (err instanceof MimtrustError && err.code === 'NOT_FOUND') throw new Oid4vciError('credential_request_denied', 'The consent this token is for is not there any more.');
      throw err;
    }
    if (statusAt(record, now) !== 'given') throw new Oid4vciError('credential_request_denied', 'The consent this token is for is no longer in force.');
    return { credentials: [{ credential: await this.o.credentials.receiptOf(record, now, proof.holder) }] };
  }
}
