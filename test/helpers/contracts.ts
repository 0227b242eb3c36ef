/**
 * Usage contracts as tests write them: an ODRL Set with one permission to read every
 * entity of one type, optionally constrained.
 */
export function typeReadContract(uid: string, type: string, constraint?: unknown[]) {
  return {
    '@context': ['http://www.w3.org/ns/odrl.jsonld', { ngsi: 'https://mimtrust.org/ns/odrl-ngsi-ld#' }],
    '@type': 'Set',
    uid,
    profile: 'https://mimtrust.org/ns/odrl-ngsi-ld',
    permission: [{
      uid: `${uid}:read`,
      target: { '@type': 'AssetCollection', refinement: [{ leftOperand: 'ngsi:entityType', operator: 'eq', rightOperand: type }] },
      action: 'ngsi:read',
      ...(constraint ? { constraint } : {}),
    }],
  };
}
