/**
 * The accumulator classify() fills from the path, the query and the body: everything a
 * request touches, each name once, in order of first appearance.
 */
import type { FilterRead } from './types.js';

export class Touches {
  readonly entityIds = new Set<string>();
  readonly idPatterns = new Set<string>();
  readonly types = new Set<string>();
  readonly attrs = new Set<string>();
  readonly options = new Set<string>();
  private readonly reads = new Map<string, FilterRead>();
  resourceId: string | undefined;
  notificationEndpoint: string | undefined;

  read(attr: string, via: FilterRead['via']): void {
    const key = via + '\u0000' + attr;
    if (!this.reads.has(key)) this.reads.set(key, { attr, via });
  }

  readAll(attrs: Iterable<string>, via: FilterRead['via']): void {
    for (const a of attrs) this.read(a, via);
  }

  filterReads(): FilterRead[] {
    return [...this.reads.values()];
  }
}
