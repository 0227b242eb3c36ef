/**
 * The two per-request series (requests by operation, effect and reason; their durations by
 * operation and effect), counted in plain cells found by three Map look-ups on the label
 * values, and handed to prom-client only when scraped. prom-client's own inc() and
 * observe() build a string key from the label object and check its names on every call,
 * about 1.2 µs a request for the two; the values here come from the code, in a bounded set.
 *
 * What a scrape shows is what prom-client's Counter and Histogram would show for the same
 * requests, in text and in the JSON the cluster primary sums (a test compares the two): the
 * counter is prom-client's, brought up to date when collected; the histogram is a metric of
 * this module's, since prom-client takes observations only one by one.
 */
import { Counter, type Metric, type Registry } from 'prom-client';

type HistogramLabels = { operation: string; effect: string };
type CounterLabels = HistogramLabels & { reason: string };

interface Durations {
  readonly labels: HistogramLabels;
  /** Per bucket, not cumulative; the last one is +Inf. */
  readonly counts: number[];
  sum: number;
  count: number;
}

interface Cell {
  readonly labels: CounterLabels;
  /** Requests not yet handed to the counter. */
  pending: number;
  readonly durations: Durations;
}

export interface TallyOptions {
  counter: { name: string; help: string };
  histogram: { name: string; help: string; buckets: readonly number[] };
  registry: Registry;
}

/** One sample of a scrape, as prom-client's metrics give it (`sharedLabels` only before they are merged into `labels`). */
interface Sample {
  labels: Record<string, string | number>;
  sharedLabels?: Record<string, string>;
  value: number;
  metricName: string;
  exemplar: null | undefined;
}

export class RequestTally {
  readonly #cells = new Map<string, Map<string, Map<string, Cell>>>();
  readonly #durations = new Map<string, Map<string, Durations>>();
  /** In the order first seen, which is the order prom-client lists series in. */
  readonly #cellList: Cell[] = [];
  readonly #durationList: Durations[] = [];
  readonly #bounds: readonly number[];

  constructor(o: TallyOptions) {
    this.#bounds = o.histogram.buckets;
    const cells = this.#cellList;
    new Counter({
      name: o.counter.name, help: o.counter.help, labelNames: ['operation', 'effect', 'reason'], registers: [o.registry],
      collect() {
        for (const c of cells) {
          if (c.pending === 0) continue;
          this.inc(c.labels, c.pending);
          c.pending = 0;
        }
      },
    });
    o.registry.registerMetric(this.#histogram(o.histogram.name, o.histogram.help) as unknown as Metric);
  }

  /** One request; `seconds` from arrival to the end of the response. */
  add(operation: string, effect: string, reason: string, seconds: number): void {
    if (!Number.isFinite(seconds)) throw new TypeError(`Value is not a valid number: ${seconds}`);
    const cell = this.#cells.get(operation)?.get(effect)?.get(reason) ?? this.#newCell(operation, effect, reason);
    cell.pending++;
    const d = cell.durations;
    d.sum += seconds;
    d.count++;
    const bounds = this.#bounds;
    let i = 0;
    while (i < bounds.length && seconds > (bounds[i] as number)) i++;
    (d.counts[i] as number)++;
  }

  #newCell(operation: string, effect: string, reason: string): Cell {
    let byEffect = this.#cells.get(operation);
    if (byEffect === undefined) this.#cells.set(operation, (byEffect = new Map<string, Map<string, Cell>>()));
    let byReason = byEffect.get(effect);
    if (byReason === undefined) byEffect.set(effect, (byReason = new Map<string, Cell>()));
    const cell: Cell = { labels: { operation, effect, reason }, pending: 0, durations: this.#durationsOf(operation, effect) };
    byReason.set(reason, cell);
    this.#cellList.push(cell);
    return cell;
  }

  #durationsOf(operation: string, effect: string): Durations {
    let byEffect = this.#durations.get(operation);
    if (byEffect === undefined) this.#durations.set(operation, (byEffect = new Map<string, Durations>()));
    let d = byEffect.get(effect);
    if (d === undefined) {
      d = { labels: { operation, effect }, counts: new Array<number>(this.#bounds.length + 1).fill(0), sum: 0, count: 0 };
      byEffect.set(effect, d);
      this.#durationList.push(d);
    }
    return d;
  }

  /** The durations as a metric of the registry, in prom-client's Histogram format. */
  #histogram(name: string, help: string) {
    const bounds = this.#bounds;
    const list = this.#durationList;
    const samples = (): Sample[] => {
      const out: Sample[] = [];
      for (const d of list) {
        let acc = 0;
        bounds.forEach((le, i) => {
          acc += d.counts[i] as number;
          out.push({ labels: { le }, sharedLabels: d.labels, value: acc, metricName: `${name}_bucket`, exemplar: null });
        });
        out.push(
          { labels: { le: '+Inf' }, sharedLabels: d.labels, value: d.count, metricName: `${name}_bucket`, exemplar: null },
          { labels: {}, sharedLabels: d.labels, value: d.sum, metricName: `${name}_sum`, exemplar: undefined },
          { labels: {}, sharedLabels: d.labels, value: d.count, metricName: `${name}_count`, exemplar: undefined },
        );
      }
      return out;
    };
    const data = (values: Sample[]) => ({ name, help, type: 'histogram', values, aggregator: 'sum' });
    return {
      name, help, type: 'histogram', aggregator: 'sum',
      // What the text exposition reads: shared labels apart, as prom-client keeps them.
      getForPromString: async () => data(samples()),
      // What the JSON (and so the cluster primary) reads: the labels merged, `le` first.
      get: async () => data(samples().map(({ sharedLabels, labels, ...rest }) => ({ ...rest, labels: { ...labels, ...sharedLabels } }))),
      // Registry.resetMetrics() would call it (nothing here does): the series stay, at zero.
      reset: () => {
        for (const d of list) {
          d.counts.fill(0);
          d.sum = 0;
          d.count = 0;
        }
      },
    };
  }
}
