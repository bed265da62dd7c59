import { collectDefaultMetrics, Counter, Histogram, Registry } from 'prom-client';

/** Prometheus metrics for the API: requests by route and status, latency, rows served, and the process's own. */
export class ApiMetrics {
  readonly registry = new Registry();
  readonly requests = new Counter({ name: 'mesh_api_requests_total', help: 'HTTP requests by route and status', labelNames: ['route', 'status'], registers: [this.registry] });
  readonly latency = new Histogram({
    name: 'mesh_api_request_duration_seconds',
    help: 'Time to the end of the response, by route',
    labelNames: ['route'],
    buckets: [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 10, 60],
    registers: [this.registry],
  });
  readonly rows = new Counter({ name: 'mesh_api_rows_served_total', help: 'Rows served, by product, port and format', labelNames: ['product', 'port', 'format'], registers: [this.registry] });

  constructor() {
    collectDefaultMetrics({ register: this.registry, prefix: 'mesh_api_' });
  }
}
