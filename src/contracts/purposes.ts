/**
 * The W3C Data Privacy Vocabulary purpose hierarchy (DPV 2.0, purposes module), as a data
 * table: each purpose with its skos:broader parents. A permission for a purpose admits any
 * narrower purpose (ServiceProvision admits ServiceOptimisation), never a broader one.
 * Ancestor sets are computed once at module load, so a check is a set lookup.
 */

export const DPV = 'https://w3id.org/dpv#';
/** The namespace DPV used before version 1.0; requests that still use it are read as DPV. */
const LEGACY_DPV = 'http://www.w3.org/ns/dpv#';

/** term -> its direct broader purposes (all in DPV). `Purpose` is the root. */
const BROADER: Readonly<Record<string, readonly string[]>> = {
  Purpose: [],
  AccountManagement: ['Purpose'],
  CommercialPurpose: ['Purpose'],
  NonCommercialPurpose: ['Purpose'],
  CommunicationManagement: ['Purpose'],
  CustomerManagement: ['Purpose'],
  CustomerCare: ['CustomerManagement'],
  CommunicationForCustomerCare: ['CustomerCare', 'CommunicationManagement'],
  CustomerClaimsManagement: ['CustomerManagement'],
  CustomerOrderManagement: ['CustomerManagement'],
  CustomerRelationshipManagement: ['CustomerManagement'],
  CustomerSolvencyMonitoring: ['CustomerManagement'],
  CreditChecking: ['CustomerSolvencyMonitoring'],
  MaintainCreditCheckingDatabase: ['CreditChecking'],
  MaintainCreditRatingDatabase: ['CreditChecking'],
  EnforceSecurity: ['Purpose'],
  EnforceAccessControl: ['EnforceSecurity'],
  IdentityAuthentication: ['EnforceSecurity'],
  MisusePreventionAndDetection: ['EnforceSecurity'],
  FraudPreventionAndDetection: ['MisusePreventionAndDetection'],
  CounterMoneyLaundering: ['FraudPreventionAndDetection'],
  MaintainFraudDatabase: ['FraudPreventionAndDetection'],
  Verification: ['EnforceSecurity'],
  AgeVerification: ['Verification'],
  IdentityVerification: ['Verification'],
  EstablishContractualAgreement: ['Purpose'],
  FulfilmentOfObligation: ['Purpose'],
  FulfilmentOfContractualObligation: ['FulfilmentOfObligation'],
  LegalCompliance: ['FulfilmentOfObligation'],
  ProtectionOfIPR: ['FulfilmentOfObligation'],
  HumanResourceManagement: ['Purpose'],
  PersonnelManagement: ['HumanResourceManagement'],
  PersonnelHiring: ['PersonnelManagement'],
  PersonnelPayment: ['PersonnelManagement'],
  Marketing: ['Purpose'],
  Advertising: ['Marketing'],
  DirectMarketing: ['Marketing'],
  PublicRelations: ['Marketing'],
  SocialMediaMarketing: ['Marketing'],
  Personalisation: ['Purpose'],
  PersonalisedAdvertising: ['Personalisation', 'Advertising'],
  TargetedAdvertising: ['PersonalisedAdvertising'],
  OrganisationGovernance: ['Purpose'],
  DisputeManagement: ['OrganisationGovernance'],
  MemberPartnerManagement: ['OrganisationGovernance'],
  OrganisationComplianceManagement: ['OrganisationGovernance'],
  OrganisationRiskManagement: ['OrganisationGovernance'],
  PublicBenefit: ['Purpose'],
  CombatClimateChange: ['PublicBenefit'],
  Counterterrorism: ['PublicBenefit'],
  DataAltruism: ['PublicBenefit'],
  ImproveHealthcare: ['PublicBenefit'],
  ImprovePublicServices: ['PublicBenefit'],
  ImproveTransportMobility: ['PublicBenefit'],
  ProtectionOfNationalSecurity: ['PublicBenefit'],
  ProtectionOfPublicSecurity: ['PublicBenefit'],
  ProvideOfficialStatistics: ['PublicBenefit'],
  PublicPolicyMaking: ['PublicBenefit'],
  RecordManagement: ['Purpose'],
  ResearchAndDevelopment: ['Purpose'],
  AcademicResearch: ['ResearchAndDevelopment'],
  CommercialResearch: ['ResearchAndDevelopment', 'CommercialPurpose'],
  NonCommercialResearch: ['ResearchAndDevelopment', 'NonCommercialPurpose'],
  ScientificResearch: ['ResearchAndDevelopment'],
  ServiceProvision: ['Purpose'],
  PaymentManagement: ['ServiceProvision'],
  RepairImpairments: ['ServiceProvision'],
  RequestedServiceProvision: ['ServiceProvision'],
  DeliveryOfGoods: ['RequestedServiceProvision'],
  SearchFunctionalities: ['ServiceProvision'],
  SellProducts: ['ServiceProvision'],
  SellDataToThirdParties: ['SellProducts'],
  SellInsightsFromData: ['SellProducts'],
  SellProductsToDataSubject: ['SellProducts'],
  ServiceOptimisation: ['ServiceProvision'],
  OptimisationForConsumer: ['ServiceOptimisation'],
  OptimiseUserInterface: ['OptimisationForConsumer'],
  OptimisationForController: ['ServiceOptimisation'],
  ImproveExistingProductsAndServices: ['OptimisationForController'],
  ImproveInternalCRMProcesses: ['CustomerRelationshipManagement', 'OptimisationForController'],
  IncreaseServiceRobustness: ['OptimisationForController'],
  InternalResourceOptimisation: ['OptimisationForController'],
  ServicePersonalisation: ['ServiceProvision', 'Personalisation'],
  PersonalisedBenefits: ['ServicePersonalisation'],
  ProvidePersonalisedRecommendations: ['ServicePersonalisation'],
  ProvideEventRecommendations: ['ProvidePersonalisedRecommendations'],
  ProvideProductRecommendations: ['ProvidePersonalisedRecommendations'],
  UserInterfacePersonalisation: ['ServicePersonalisation'],
  ServiceRegistration: ['ServiceProvision'],
  ServiceUsageAnalytics: ['ServiceProvision'],
  TechnicalServiceProvision: ['ServiceProvision'],
  VendorManagement: ['Purpose'],
  VendorPayment: ['VendorManagement'],
  VendorRecordsManagement: ['VendorManagement'],
  VendorSelectionAssessment: ['VendorManagement'],
};

function closure(term: string, seen: Set<string>): Set<string> {
  if (seen.has(DPV + term)) return seen;
  seen.add(DPV + term);
  for (const parent of BROADER[term] ?? []) closure(parent, seen);
  return seen;
}

/** purpose IRI -> itself and every broader purpose IRI. */
const ANCESTORS: ReadonlyMap<string, ReadonlySet<string>> = new Map(
  Object.keys(BROADER).map((term) => [DPV + term, closure(term, new Set())]),
);

/** Every purpose IRI in the table. */
export const PURPOSES: ReadonlySet<string> = new Set(ANCESTORS.keys());

/** Every purpose as a contract may write it, compact and full: the names a misspelling is compared with. */
export const PURPOSE_TERMS: readonly string[] = Object.keys(BROADER).flatMap((term) => [`dpv:${term}`, DPV + term]);

/** Reads a DPV purpose written as `dpv:Xxx`, as an IRI in either DPV namespace, or undefined. */
export function purposeIri(term: string): string | undefined {
  const iri = term.startsWith('dpv:') ? DPV + term.slice(4)
    : term.startsWith(LEGACY_DPV) ? DPV + term.slice(LEGACY_DPV.length)
      : term;
  return ANCESTORS.has(iri) ? iri : undefined;
}

/** The purpose and all its broader purposes; empty for a purpose outside the table. */
export function purposeAncestors(iri: string): ReadonlySet<string> {
  return ANCESTORS.get(purposeIri(iri) ?? '') ?? EMPTY;
}

const EMPTY: ReadonlySet<string> = new Set();

/** True when `declared` is `allowed` or narrower than it. */
export function purposeWithin(declared: string, allowed: string): boolean {
  const a = purposeIri(allowed);
  return a !== undefined && purposeAncestors(declared).has(a);
}
