/**
 * Everything one filtering pass needs, prepared once per response: the view, the expander,
 * the permitted areas and the representation, plus the running totals.
 */
import { compileAreas, type Area } from './geo.js';
import { typeViewOf, type FilterStats, type TermExpander, type TypeView, type View, type ViewExtras } from './types.js';

export interface FilterContext {
  readonly view: TypeView;
  readonly expand: TermExpander;
  /** Permitted areas; undefined when the decision sets no spatial constraint. */
  readonly areas: readonly Area[] | undefined;
  /** IRI of the `location` attribute as the caller's context expands it. */
  readonly locationIri: string;
  /** keyValues / simplified: attribute values are bare values, not attribute objects. */
  readonly keyValues: boolean;
  readonly stats: FilterStats;
}

export function createContext(
  view: View,
  expand: TermExpander,
  within: ReadonlyArray<unknown> | undefined,
  options: readonly string[],
  extras?: ViewExtras,
): FilterContext {
  return {
    view: typeViewOf(view, extras),
    expand,
    areas: within === undefined ? undefined : compileAreas(within),
    locationIri: expand('location'),
    keyValues: options.includes('keyValues') || options.includes('simplified'),
    stats: { droppedEntities: 0, removedAttributes: 0 },
  };
}
