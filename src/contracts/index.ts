/**
 * Usage contracts: an ODRL 2.2 profile for NGSI-LD. Documents are validated strictly
 * against the profile (anything outside it is refused with a ContractError naming the
 * file, the rule and the term) and compiled into an indexed, immutable PolicySnapshot
 * for the pure decide() of src/policy. Party names resolve, at load, to parties of the
 * trusted issuers they may come from (parties.ts). Contracts made through the admin API
 * belong to a data provider, live in its namespace and are narrowed at compile time to
 * what it owns (providers.ts, ownership.ts, namespace.ts). The registry loads each
 * document on its own, so a bad one keeps its previous version without holding back the
 * others, and keeps a contract whose remote context is down in force disabled, its
 * prohibitions still denying. Validation (validate.ts) reads a document past its first
 * problem, places each at its line and column with the name probably meant, and warns of
 * names that resolve to nothing known. See docs/contracts.md.
 */
export { compileContract, checkContract } from './compile-contract.js';
export type { ContractCheck } from './compile-contract.js';
export { compileContracts, snapshotOf, snapshotWith, duplicateUids, EMPTY_SNAPSHOT } from './snapshot.js';
export type { ContractInput } from './snapshot.js';
export { ContractError } from './errors.js';
export type { ContractErrorCode, ContractLocation } from './errors.js';
export { defaultExpander, isAbsoluteIri, NGSI_LD_DEFAULT_VOCAB } from './expand.js';
export type { TermExpander } from './expand.js';
export { NS, PROFILE_IRI, ODRL_CONTEXT, CONTRACT_ACTIONS, isContractAction } from './vocabulary.js';
export type { ContractAction } from './vocabulary.js';
export type {
  PolicySnapshot, CompiledContract, Rule, Constraint, Comparison, Assignee, EntityIdMatch, Area, TypeBucket, AssigneeBucket, RuleIndex, AssigneeIndex,
} from './model.js';
export { readContractDir, readContractFileAt, compileDocument, loadDocument, MAX_CONTRACT_FILE_BYTES } from './load.js';
export type { ContractDocument, DocumentRead, DocumentOutcome, FolderRead, UnreadableDocument } from './load.js';
export { partyNames, hasParty, ISSUER_PREFIX } from './parties.js';
export type { TrustedIssuer, PartyNames, PartySet } from './parties.js';
export { ContractRegistry, API_SOURCE_PREFIX } from './registry.js';
export type { ContractRegistryOptions, ChangeCheck, PutOptions, DocumentReport, DocumentState } from './registry.js';
export { apiContractKey, contractTenants, OPERATOR_NAMESPACE } from './namespace.js';
export type { ApiPlacement } from './namespace.js';
export { resolveProviders } from './provider-config.js';
export type { Provider, Providers, OwnedIds } from './providers.js';
export { contractSummary } from './summary.js';
export { validateDocument, problemOf, isSmartDataModelsContext } from './validate.js';
export type { ContractProblem, ProblemSeverity, NameProblemCode, BrokerNames, ValidationEnv, Validation } from './validate.js';
export { parseDateTime } from './values.js';
export type { ContractStore, StoredContract, ContractCopies } from './store.js';
