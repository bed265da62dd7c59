import { collectDefaultMetrics, Counter, Gauge, Histogram, Registry } from 'prom-client';
import type { Databases } from './databases';
import type { PageCache } from './page-cache';

/** Prometheus metrics for the API: requests by route and status, latency, rows served, the page cache, and the process's own. */
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

  readonly lookups = new Counter({ name: 'mesh_api_lookups_total', help: 'Page requests that look up one row by its primary key', registers: [this.registry] });
  readonly lookupQueries = new Counter({ name: 'mesh_api_lookup_queries_total', help: 'Queries that answered keyed lookups; lookups waiting together share one', registers: [this.registry] });
  readonly pageCache = new Counter({ name: 'mesh_api_page_cache_requests_total', help: 'Page requests answered from the page cache (hit) or by a query (miss)', labelNames: ['result'], registers: [this.registry] });

  constructor(state: { pages: PageCache; databases: Databases }) {
    collectDefaultMetrics({ register: this.registry, prefix: 'mesh_api_' });
    new Gauge({ name: 'mesh_api_page_cache_bytes', help: 'Bytes of answered pages kept, all publication versions together', registers: [this.registry], collect() { this.set(state.pages.bytes); } });
    new Gauge({ name: 'mesh_api_open_databases', help: 'Published databases open, each as of one publication version', registers: [this.registry], collect() { this.set(state.databases.openVersions().length); } });
  }
}
