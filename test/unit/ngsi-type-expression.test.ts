import { describe, expect, it } from 'vitest';
import { parseTypeExpression } from '../../src/ngsi/index.js';
import { expectRefused } from './ngsi-fixtures.js';

describe('entity type expressions', () => {
  it.each<[string, string[]]>([
    ['Car', ['Car']],
    ['Car,Bus', ['Car', 'Bus']],
    ['Car|Bus', ['Car', 'Bus']],
    ['(Car;Vehicle)', ['Car', 'Vehicle']],
    ['(Car;Vehicle)|Bus', ['Car', 'Vehicle', 'Bus']],
    ['((A;B)|(C;(D|E))),F', ['A', 'B', 'C', 'D', 'E', 'F']],
    ['Car,Car|Car', ['Car']],
    [' Car , Bus ', ['Car', 'Bus']],
    ['https://uri.fiware.org/ns/dataModels#Vehicle', ['https://uri.fiware.org/ns/dataModels#Vehicle']],
    ['ex:Car|urn:x:Bus', ['ex:Car', 'urn:x:Bus']],
  ])('%s', (expr, types) => {
    expect(parseTypeExpression(expr)).toEqual(types);
  });

  it.each(['', ' ', ',', 'Car,', ',Car', 'Car||Bus', '(Car', 'Car)', '()', '(Car)Bus', 'Car Bus', 'Car(Bus)',
    '('.repeat(20) + 'A' + ')'.repeat(20)])('refuses %j', (expr) => {
    expectRefused(() => parseTypeExpression(expr), 'BAD_REQUEST', 'invalid_type_expression');
  });
});
