/**
 * Which attribute values are geographic, in every representation the broker may use, and
 * the GeoJSON geometries they hold. An attribute is geographic when it is declared a
 * GeoProperty or holds a GeoJSON geometry, so a geometry stored under another attribute
 * type is bounded all the same:
 * - normalized: `{type: 'GeoProperty', value: geometry}`, or as temporalValues
 *   `{type: 'GeoProperty', values: [[geometry, time], ...]}`;
 * - concise: the geometry itself, or `{value: geometry, ...}` when it has sub-attributes;
 * - keyValues / simplified: the geometry itself (an object whose `type` is a GeoJSON
 *   geometry type: Point, MultiPoint, LineString, MultiLineString, Polygon, MultiPolygon,
 *   GeometryCollection), there being no attribute type to go by; any other object is data
 *   (unless it says `type: 'GeoProperty'`, as temporal values do);
 * - multi-attributes and temporal instances: arrays of any of these.
 * Outside keyValues, the sub-attributes of an attribute are part of it: a sub-attribute
 * holding a geometry makes its attribute geographic. A geometry nested deeper inside a
 * Property's JSON value is data, not recognised.
 */
import { isGeometry } from '../geo/index.js';
import { isObject } from './types.js';

const NGSI_LD_GEO_PROPERTY = 'https://uri.etsi.org/ngsi-ld/GeoProperty';

/** Members of an attribute object that hold its value or its target, never a sub-attribute. */
const VALUE_MEMBERS: ReadonlySet<string> = new Set([
  'type', 'value', 'values', 'object', 'objectList', 'entity', 'entityList', 'json', 'valueList', 'languageMap', 'vocab',
]);

/** Sub-attributes and instance lists nested deeper than this are not read: the attribute counts as unreadable. */
const MAX_NESTING = 16;

function collect(value: unknown, keyValues: boolean, out: unknown[], depth: number): boolean {
  if (depth > MAX_NESTING) return false;
  if (Array.isArray(value)) {
    for (const item of value) if (!collect(item, keyValues, out, depth + 1)) return false;
    return true;
  }
  if (!isObject(value)) return true;
  if (isGeometry(value)) {
    out.push(value);
    return true;
  }
  const inner = value['value'];
  const values = value['values'];
  if (value['type'] === 'GeoProperty' || value['type'] === NGSI_LD_GEO_PROPERTY) {
    // Declared geographic: it must hold geometries, and nothing else.
    if ('value' in value) {
      if (!isGeometry(inner)) return false;
      out.push(inner);
    } else if (Array.isArray(values) && values.length > 0) {
      for (const pair of values) {
        if (!Array.isArray(pair) || !isGeometry(pair[0])) return false;
        out.push(pair[0]);
      }
    } else {
      return false;
    }
  } else if (keyValues) {
    // In keyValues an object is data: no attribute value, no sub-attributes.
    return true;
  } else {
    if (isGeometry(inner)) out.push(inner);
    if (Array.isArray(values)) for (const pair of values) if (Array.isArray(pair) && isGeometry(pair[0])) out.push(pair[0]);
  }
  for (const key of Object.keys(value)) {
    if (VALUE_MEMBERS.has(key)) continue;
    const member = value[key];
    if (typeof member !== 'object' || member === null) continue;
    if (!collect(member, keyValues, out, depth + 1)) return false;
  }
  return true;
}

/**
 * The geometries an attribute value holds: an empty list when it is not geographic,
 * undefined when it is declared a GeoProperty but holds no readable geometry (or nests
 * too deep to tell).
 */
export function geometriesIn(value: unknown, keyValues: boolean): unknown[] | undefined {
  const out: unknown[] = [];
  return collect(value, keyValues, out, 0) ? out : undefined;
}
