/**
 * The parts of the Digital Bazaar credential libraries mimtrust calls, typed as it uses
 * them (the packages ship JavaScript only).
 */
declare module '@digitalbazaar/vc' {
  export type DocumentLoader = (url: string) => Promise<{ contextUrl: string | null; documentUrl: string; document: unknown; tag?: string }>;
  export interface VerifyResult {
    verified: boolean;
    error?: unknown;
    results?: Array<{ verified: boolean; error?: unknown }>;
    presentationResult?: VerifyResult;
    credentialResults?: VerifyResult[];
  }
  export function issue(o: { credential: object; suite: unknown; documentLoader: DocumentLoader; now?: string | Date }): Promise<Record<string, unknown>>;
  export function verifyCredential(o: {
    credential: object; suite: unknown; documentLoader: DocumentLoader; checkStatus?: (o: unknown) => Promise<{ verified: boolean }>; now?: Date; maxClockSkew?: number;
  }): Promise<VerifyResult>;
  export function signPresentation(o: { presentation: object; suite: unknown; documentLoader: DocumentLoader; challenge: string; domain?: string }): Promise<Record<string, unknown>>;
  export function createPresentation(o: { verifiableCredential?: object | object[]; holder?: string; id?: string; now?: Date }): Record<string, unknown>;
  export function verify(o: {
    presentation: object; suite: unknown; documentLoader: DocumentLoader; challenge?: string; domain?: string; unsignedPresentation?: boolean;
    checkStatus?: (o: unknown) => Promise<{ verified: boolean }>; now?: Date; maxClockSkew?: number;
  }): Promise<VerifyResult>;
  export const defaultDocumentLoader: DocumentLoader;
  /** The structure checks of a presentation (contexts, type); throws when they fail. */
  export function _checkPresentation(presentation: object): void;
}

declare module 'jsonld-signatures' {
  import type { DocumentLoader, VerifyResult } from '@digitalbazaar/vc';
  const jsigs: {
    verify(document: object, o: { suite: unknown; purpose: unknown; documentLoader: DocumentLoader }): Promise<VerifyResult>;
    purposes: { AuthenticationProofPurpose: new (o: { challenge: string; domain?: string }) => unknown };
  };
  export default jsigs;
}

declare module '@digitalbazaar/ed25519-multikey' {
  export interface Ed25519KeyPair {
    id: string;
    controller: string;
    publicKeyMultibase: string;
    secretKeyMultibase?: string;
    signer(): { algorithm: string; id: string; sign(o: { data: Uint8Array }): Promise<Uint8Array> };
    verifier(): { algorithm: string; id: string; verify(o: { data: Uint8Array; signature: Uint8Array }): Promise<boolean> };
    export(o: { publicKey?: boolean; secretKey?: boolean; includeContext?: boolean }): Promise<Record<string, unknown>>;
  }
  export function generate(o?: { id?: string; controller?: string; seed?: Uint8Array }): Promise<Ed25519KeyPair>;
  export function from(key: Record<string, unknown>): Promise<Ed25519KeyPair>;
  export function toJwk(o: { keyPair: Ed25519KeyPair; secretKey?: boolean }): Promise<{ kty: string; crv: string; x: string; d?: string }>;
}

declare module '@digitalbazaar/eddsa-rdfc-2022-cryptosuite' {
  export const cryptosuite: unknown;
}

declare module '@digitalbazaar/data-integrity' {
  export class DataIntegrityProof {
    constructor(o: { signer?: unknown; cryptosuite: unknown; date?: string | Date });
  }
}

declare module '@digitalbazaar/did-method-key' {
  export interface DidKeyDriver {
    use(o: { multibaseMultikeyHeader: string; fromMultibase: (o: { publicKeyMultibase: string }) => Promise<unknown> }): void;
    get(o: { did?: string; url?: string }): Promise<Record<string, unknown>>;
    fromKeyPair(o: { verificationKeyPair: unknown }): Promise<{ didDocument: Record<string, unknown> }>;
  }
  export function driver(): DidKeyDriver;
}

declare module '@digitalbazaar/vc-bitstring-status-list' {
  export class BitstringStatusList {
    constructor(o: { length?: number; buffer?: Uint8Array });
    setStatus(index: number, status: boolean): void;
    getStatus(index: number): boolean;
    encode(): Promise<string>;
    length: number;
    static decode(o: { encodedList: string }): Promise<BitstringStatusList>;
  }
  export function createCredential(o: { id: string; list: BitstringStatusList; statusPurpose: string }): Promise<Record<string, unknown>>;
  export function decodeList(o: { encodedList: string }): Promise<BitstringStatusList>;
}

declare module '@digitalbazaar/credentials-context' {
  export const contexts: Map<string, unknown>;
}

declare module '@digitalbazaar/data-integrity-context' {
  export const contexts: Map<string, unknown>;
}

declare module '@digitalbazaar/multikey-context' {
  export const contexts: Map<string, unknown>;
}

declare module '@digitalbazaar/vc-bitstring-status-list-context' {
  export const contexts: Map<string, unknown>;
}
