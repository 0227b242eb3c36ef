/**
 * Everything one filtering pass needs, prepared once per response: the view, the expander,
 * the spatial limit and the representation, plus the running totals.
 */
import type { Area } from '../geo/index.js';
import { typeViewOf, type FilterStats, type TermExpander, type TypeView, type View, type ViewExtras } from './types.js';

/** A decision's permitted areas, with the bound on the size of each geometry checked against them. */
export interface SpatialLimit {
  readonly areas: readonly Area[];
  /** Positions a geometry may have to be checked; a larger one counts as outside. */
  readonly maxGeometryPoints: number;
}

export interface FilterContext {
  readonly view: TypeView;
  readonly expand: TermExpander;
  /** Undefined when the decision sets no spatial constraint. */
  readonly spatial: SpatialLimit | undefined;
  /** IRI of the `location` attribute as the caller's context expands it. */
  readonly locationIri: string;
  /** keyValues / simplified: attribute values are bare values, not attribute objects. */
  readonly keyValues: boolean;
  readonly stats: FilterStats;
}

export function createContext(
  view: View,
  expand: TermExpander,
  spatial: SpatialLimit | undefined,
  options: readonly string[],
  extras?: ViewExtras,
): FilterContext {
  return {
    view: typeViewOf(view, extras),
    expand,
    spatial,
    locationIri: expand('location'),
    keyValues: options.includes('keyValues') || options.includes('simplified'),
    stats: { droppedEntities: 0, removedAttributes: 0 },
  };
}
