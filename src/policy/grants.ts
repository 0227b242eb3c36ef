/**
 * What the applicable permissions grant, per entity type: the attributes, and the areas
 * the type's entities must lie in. Decided for each type on its own, from the permissions
 * that cover that type (naming it, or naming no type):
 * - a permission without an area covering the type shows its entities anywhere; the areas
 *   of other permissions on that type then only bound what they add, so they are left out
 *   and the type is unbounded;
 * - otherwise the type is bounded by the areas of the permissions covering it. An entity
 *   is shown when it lies in any of them, so only what every one of those areas grants is
 *   safe to show: the intersection. Areas of permissions on other types play no part.
 * Pure; the area lists are interned per decision, so types bounded alike share one array.
 */
import type { Area, Rule } from '../contracts/model.js';
import { intersectScope, unionScope } from './scope.js';
import type { AttributeScope } from './types.js';

/** A permission that applies, with the slice of counter keys its constraints produced. */
export interface Applied {
  rule: Rule;
  from: number;
  to: number;
}

/** The union of what the permissions sharing one area (or having none) grant. */
interface AreaGroup {
  area: Area | null;
  byType: Map<string, AttributeScope>;
  anyType: AttributeScope | undefined;
  applied: Applied[];
}

/** What one type is shown: its scope, and its areas (undefined: anywhere). */
export interface TypeGrant {
  scope: AttributeScope;
  areas: ReadonlyArray<Area> | undefined;
}

export function addScope(map: Map<string, AttributeScope>, key: string, scope: AttributeScope): void {
  const prev = map.get(key);
  map.set(key, prev ? unionScope(prev, scope) : scope);
}

function groupScope(g: AreaGroup, type: string | null): AttributeScope | undefined {
  const typed = type === null ? undefined : g.byType.get(type);
  return typed && g.anyType ? unionScope(typed, g.anyType) : typed ?? g.anyType;
}

function covers(rule: Rule, type: string | null): boolean {
  return rule.types === null || (type !== null && rule.types.has(type));
}

const NO_GROUPS: readonly AreaGroup[] = [];

function newGroup(area: Area | null): AreaGroup {
  return { area, byType: new Map(), anyType: undefined, applied: [] };
}

export class Grants {
  private readonly unbounded: AreaGroup | undefined;
  private readonly bounded: readonly AreaGroup[];
  // Made only where some permission has an area (most decisions have none).
  private lists: Map<string, Area[]> | undefined;
  /** Permissions with an area that some resolved type rests on. */
  private boundedUsed: Set<Applied> | undefined;

  constructor(private readonly applied: readonly Applied[]) {
    let unbounded: AreaGroup | undefined;
    let byArea: Map<string, AreaGroup> | undefined;
    for (const a of applied) {
      const { rule } = a;
      let g: AreaGroup;
      if (rule.area === null) g = unbounded ??= newGroup(null);
      else {
        byArea ??= new Map();
        const found = byArea.get(rule.area.key);
        if (found) g = found;
        else byArea.set(rule.area.key, (g = newGroup(rule.area)));
      }
      g.applied.push(a);
      const scope = rule.attrs as AttributeScope;
      if (rule.types === null) g.anyType = g.anyType ? unionScope(g.anyType, scope) : scope;
      else for (const t of rule.types) addScope(g.byType, t, scope);
    }
    this.unbounded = unbounded;
    this.bounded = byArea ? [...byArea.values()] : NO_GROUPS;
  }

  /** True when some applicable permission has an area. */
  get hasAreas(): boolean {
    return this.bounded.length > 0;
  }

  /** Every type some applicable permission names. */
  namedTypes(): Set<string> {
    const out = new Set<string>();
    if (this.unbounded) for (const t of this.unbounded.byType.keys()) out.add(t);
    for (const g of this.bounded) for (const t of g.byType.keys()) out.add(t);
    return out;
  }

  /**
   * What entities of `type` (null: a type no permission names) are shown; undefined when
   * no applicable permission covers it. Records which permissions it rests on.
   */
  grantFor(type: string | null): TypeGrant | undefined {
    const free = this.unbounded && groupScope(this.unbounded, type);
    if (free) return { scope: free, areas: undefined };
    let scope: AttributeScope | undefined;
    const from: AreaGroup[] = [];
    for (const g of this.bounded) {
      const s = groupScope(g, type);
      if (!s) continue;
      scope = scope ? intersectScope(scope, s) : s;
      from.push(g);
    }
    if (!scope) return undefined;
    const used = (this.boundedUsed ??= new Set<Applied>());
    for (const g of from) for (const a of g.applied) if (covers(a.rule, type)) used.add(a);
    return { scope, areas: this.areasOf(from) };
  }

  /**
   * The permissions the resolved types rest on, in the order they applied: every one
   * without an area, and those with an area that bound a type no unbounded one covers.
   */
  used(): Applied[] {
    if (this.bounded.length === 0) return this.applied as Applied[];
    const used = this.boundedUsed;
    return this.applied.filter((a) => a.rule.area === null || (used?.has(a) ?? false));
  }

  private areasOf(groups: readonly AreaGroup[]): Area[] {
    const key = groups.map((g) => (g.area as Area).key).join('\n');
    const lists = (this.lists ??= new Map<string, Area[]>());
    let list = lists.get(key);
    if (!list) lists.set(key, (list = groups.map((g) => g.area as Area)));
    return list;
  }
}
