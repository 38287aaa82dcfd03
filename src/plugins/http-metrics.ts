import type { Metric, MetricValue } from 'prom-client';

/** One (method, route[, status]) series: its own numbers, found once per route and kept by the route's hook. */
interface Series {
  labels: Record<string, string>;
  count: number;
  sum: number;
  /** Per bucket (the last is +Inf), not cumulative. */
  buckets: number[];
}

/**
 * The HTTP request counter and latency histogram, recorded with plain additions on the request path and handed to
 * prom-client's registry as metrics of its own format (`get()`, as prom-client's cluster aggregation reads them).
 * prom-client's own observe re-validates and re-hashes the labels of every call, even through a labelled child;
 * measured on the assignment route that was about 5 µs of the 50 µs a request costs.
 */
export class HttpMetrics {
  private readonly counters = new Map<string, Series>();
  private readonly histograms = new Map<string, Series>();

  constructor(private readonly bounds: readonly number[]) {}

  /** The recorder of one route: `(method, status, seconds)`. */
  recorder(route: string): (method: string, status: number, seconds: number) => void {
    const byKey = new Map<string, { counter: Series; histogram: Series }>();
    return (method, status, seconds) => {
      const key = `${method} ${status}`;
      let s = byKey.get(key);
      if (!s) {
        s = {
          counter: this.series(this.counters, { method, route, status: String(status) }),
          histogram: this.series(this.histograms, { method, route }),
        };
        byKey.set(key, s);
      }
      s.counter.count++;
      const h = s.histogram;
      let i = 0;
      while (i < this.bounds.length && seconds > this.bounds[i]!) i++;
      h.buckets[i]!++;
      h.sum += seconds;
      h.count++;
    };
  }

  /** Both metrics, to register on a prom-client registry. */
  metrics(names: { requests: string; latency: string }): Metric[] {
    const requests = {
      name: names.requests,
      help: 'HTTP requests by route and status',
      type: 'counter',
      aggregator: 'sum',
      get: () => ({
        ...requests,
        values: [...this.counters.values()].map((s): MetricValue<string> => ({
          labels: s.labels,
          value: s.count,
        })),
      }),
      reset: () => this.counters.clear(),
    };
    const latency = {
      name: names.latency,
      help: 'HTTP request latency by route',
      type: 'histogram',
      aggregator: 'sum',
      get: () => ({
        ...latency,
        values: [...this.histograms.values()].flatMap((s) => this.histogramValues(latency.name, s)),
      }),
      reset: () => this.histograms.clear(),
    };
    // prom-client's registry reads any object of this shape; its types list only its own classes.
    return [requests, latency] as unknown as Metric[];
  }

  private series(map: Map<string, Series>, labels: Record<string, string>): Series {
    const key = JSON.stringify(labels);
    let s = map.get(key);
    if (!s) {
      s = { labels, count: 0, sum: 0, buckets: new Array<number>(this.bounds.length + 1).fill(0) };
      map.set(key, s);
    }
    return s;
  }

  private histogramValues(name: string, s: Series): (MetricValue<string> & { metricName: string })[] {
    let cumulative = 0;
    const values = s.buckets.map((n, i) => {
      cumulative += n;
      const le = i < this.bounds.length ? this.bounds[i]! : '+Inf';
      return { labels: { ...s.labels, le }, value: cumulative, metricName: `${name}_bucket` };
    });
    values.push({ labels: s.labels, value: s.sum, metricName: `${name}_sum` } as never);
    values.push({ labels: s.labels, value: s.count, metricName: `${name}_count` } as never);
    return values;
  }
}
