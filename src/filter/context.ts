/**
 * Everything one filtering pass needs, prepared once per response: the view (with its
 * areas), the expander, the geometry size limit, the representation, what the gateway
 * fetched for itself, plus the running totals.
 */
import { MimtrustError } from '../errors/index.js';
import type { EntityGrants } from './scopes.js';
import type { ConsentObligation } from '../policy/types.js';
import type { History } from './consent-window.js';
import { typeViewOf, type FilterStats, type TermExpander, type TypeView, type View, type ViewExtras } from './types.js';

/** The bound on the work of one spatial check. */
export interface SpatialLimit {
  /** Positions a geometry may have to be checked; a larger one counts as outside. */
  readonly maxGeometryPoints: number;
}

/**
 * Attributes the broker was asked for beyond what the caller asked, because an obligation
 * reads them (an area reads `location`). They are read, never shown, and their removal is
 * not counted: the caller never asked for them.
 */
export interface Fetched {
  /** IRIs of the attributes added. */
  readonly attrs: ReadonlySet<string>;
  /** Entity members added (`type`, which the view reads), as the broker names them. */
  readonly members?: ReadonlySet<string>;
  /**
   * The caller's own `attrs` (IRIs), when the additions went into `attrs`: the broker then
   * also returns entities holding only an added attribute, which the caller's query would
   * not have matched, so an entity holding none of these is dropped.
   */
  readonly matchedBy?: ReadonlySet<string>;
}

export interface FilterContext {
  readonly view: TypeView;
  readonly expand: TermExpander;
  /** Set when some type of the view is shown only within areas. */
  readonly spatial: SpatialLimit | undefined;
  /** IRI of the `location` attribute as the caller's context expands it. */
  readonly locationIri: string;
  /** keyValues / simplified: attribute values are bare values, not attribute objects. */
  readonly keyValues: boolean;
  readonly fetched: Fetched | undefined;
  readonly stats: FilterStats;
  /** What entities of one type show, worked out once per type for this response (spatial.ts, scopes.ts). */
  readonly grantsByType: Map<string, EntityGrants | undefined>;
  /** Set when some type is shown per entity under its data subject's consent (consent.ts). */
  readonly consent: ConsentObligation | undefined;
  /** Set for a temporal answer: under consent, instances are cut to when consents held (consent-window.ts). */
  readonly history: History | undefined;
}

export function createContext(
  view: View,
  expand: TermExpander,
  limit: SpatialLimit | undefined,
  options: readonly string[],
  extras?: ViewExtras,
  fetched?: Fetched,
  history?: History,
): FilterContext {
  const typeView = typeViewOf(view, extras);
  if (typeView.bounded && limit === undefined) {
    throw new MimtrustError('INTERNAL', 'A spatial constraint cannot be checked without a geometry size limit.', { reason: 'invalid_spatial_constraint' });
  }
  return {
    view: typeView,
    expand,
    spatial: typeView.bounded ? limit : undefined,
    locationIri: expand('location'),
    keyValues: options.includes('keyValues') || options.includes('simplified'),
    fetched: fetched !== undefined && (fetched.attrs.size > 0 || (fetched.members?.size ?? 0) > 0) ? fetched : undefined,
    stats: { droppedEntities: 0, removedAttributes: 0 },
    grantsByType: new Map(),
    consent: extras?.consent,
    history,
  };
}
