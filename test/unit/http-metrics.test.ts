import { Registry } from 'prom-client';
import t from 'tap';
import { HttpMetrics } from '../../src/plugins/http-metrics.js';

t.test(
  'HTTP metrics expose cumulative buckets, sum and count per route in the Prometheus format',
  async (t) => {
    const http = new HttpMetrics([0.01, 0.1]);
    const registry = new Registry();
    for (const m of http.metrics({ requests: 'reqs_total', latency: 'lat_seconds' }))
      registry.registerMetric(m);
    const assign = http.recorder('/v1/experiments/:key/assignments');
    assign('POST', 200, 0.005);
    assign('POST', 200, 0.01); // on a bound: in that bucket (le is "less than or equal")
    assign('POST', 400, 0.05);
    assign('POST', 200, 3);
    http.recorder('unmatched')('GET', 404, 0.001);
    const text = await registry.metrics();
    const line = (name: string) =>
      new RegExp(`^${name.replace(/[{}+.]/g, '\\$&')} (\\S+)$`, 'm').exec(text)?.[1];
    const route = 'method="POST",route="/v1/experiments/:key/assignments"';
    t.equal(line(`reqs_total{${route},status="200"}`), '3');
    t.equal(line(`reqs_total{${route},status="400"}`), '1');
    t.equal(line(`reqs_total{method="GET",route="unmatched",status="404"}`), '1');
    t.equal(line(`lat_seconds_bucket{${route},le="0.01"}`), '2');
    t.equal(line(`lat_seconds_bucket{${route},le="0.1"}`), '3');
    t.equal(line(`lat_seconds_bucket{${route},le="+Inf"}`), '4');
    t.equal(Number(line(`lat_seconds_sum{${route}}`)), 3.065);
    t.equal(line(`lat_seconds_count{${route}}`), '4');
    t.match(text, /# TYPE lat_seconds histogram/);
    t.match(text, /# TYPE reqs_total counter/);
    registry.resetMetrics();
    t.notMatch(await registry.metrics(), /reqs_total\{/);
  },
);
