/**
 * A reader that keeps asking the data product API for sales' order summary, as finance may read it,
 * while builds publish and fail underneath. Every answer must be whole: the rows of exactly one
 * clean build of one data version (count and total value), or a clean refusal; never a 5xx, never a mix.
 */

export interface ReaderReport {
  requests: number;
  /** Answers whose rows match no clean build. */
  mixed: number;
  /** 5xx answers and failed requests. */
  failed: number;
  errors: string[];
}

export interface ApiReader {
  /** The counts so far. */
  report: ReaderReport;
  stop(): Promise<ReaderReport>;
}

export function startApiReader(url: string, token: string, accepts: (rows: number, total: number) => boolean): ApiReader {
  const report: ReaderReport = { requests: 0, mixed: 0, failed: 0, errors: [] };
  let running = true;
  const loop = (async () => {
    while (running) {
      try {
        const response = await fetch(new URL('v1/products/teddy-sales/ports/order_summary/rows?limit=10000&select=order_id,total_value', url), {
          headers: { Authorization: `Bearer ${token}` },
          signal: AbortSignal.timeout(10_000),
        });
        report.requests++;
        const body = (await response.json()) as { data?: Array<{ total_value: number }>; next_cursor?: string | null; error?: unknown };
        if (response.status >= 500 || !body.data) {
          report.failed++;
          if (report.errors.length < 5) report.errors.push(`HTTP ${response.status}: ${JSON.stringify(body).slice(0, 200)}`);
        } else if (body.next_cursor || !accepts(body.data.length, body.data.reduce((s, r) => s + Number(r.total_value), 0))) {
          report.mixed++;
          if (report.errors.length < 5) report.errors.push(`${body.data.length} rows match no clean build`);
        }
      } catch (error) {
        report.requests++;
        report.failed++;
        if (report.errors.length < 5) report.errors.push(String(error));
      }
      // Hard, but not so hard that on two cores the builds it reads from cannot run.
      await new Promise((r) => setTimeout(r, 5));
    }
  })();
  return {
    report,
    stop: async () => {
      running = false;
      await loop;
      return report;
    },
  };
}
