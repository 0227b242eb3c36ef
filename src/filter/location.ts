/**
 * Where an entity is: the geometries of its location attribute in whichever representation
 * the broker used, and whether all of them lie inside the permitted areas.
 */
import { geometryWithin, type Area } from './geo.js';
import { isObject } from './types.js';

/**
 * Collects the geometries held by one attribute value:
 * - normalized or concise: `{type: 'GeoProperty', value: geometry}` or `{value: geometry}`;
 * - concise and keyValues: the geometry itself;
 * - temporalValues: `{type: 'GeoProperty', values: [[geometry, time], ...]}`;
 * - multi-attribute and temporal instances: an array of any of these.
 * In keyValues only a bare geometry counts: an object there is data, not an attribute.
 * Returns false when a value is not one of these, so the caller can refuse the entity.
 */
function collectGeometries(value: unknown, keyValues: boolean, out: unknown[]): boolean {
  if (Array.isArray(value)) {
    if (value.length === 0) return false;
    for (const instance of value) if (!collectGeometries(instance, keyValues, out)) return false;
    return true;
  }
  if (!isObject(value)) return false;
  if (keyValues || 'coordinates' in value || 'geometries' in value) {
    out.push(value);
    return true;
  }
  if ('value' in value) {
    out.push(value['value']);
    return true;
  }
  const values = value['values'];
  if (Array.isArray(values) && values.length > 0) {
    for (const pair of values) {
      if (!Array.isArray(pair)) return false;
      out.push(pair[0]);
    }
    return true;
  }
  return false;
}

/**
 * True when the location value is recognised and every geometry in it lies inside the
 * areas. A missing or unreadable location is outside: an entity is only shown when it
 * can be placed.
 */
export function locatedWithin(location: unknown, areas: readonly Area[], keyValues: boolean): boolean {
  if (location === undefined) return false;
  const geometries: unknown[] = [];
  if (!collectGeometries(location, keyValues, geometries)) return false;
  for (const geometry of geometries) if (!geometryWithin(geometry, areas)) return false;
  return true;
}
