import http from 'node:http';
import https from 'node:https';

/**
 * Trino's client protocol over HTTP: a statement is POSTed to `/v1/statement`, and the client follows
 * `nextUri` until the query is done, collecting columns and pages of rows. It is four kinds of request
 * (submit, poll, cancel, retry on 502/503/504), so it is written here on node:http rather than taken
 * from `trino-client`, which shares one mutable set of session headers across concurrent queries, drops
 * an error carried by the first response, never retries an overloaded coordinator and cancels nothing.
 */

export interface TrinoServer {
  /** `https://host:port` (or http for a cluster without authentication). */
  url: string;
  user: string;
  /** Sent as HTTP basic authentication; Trino accepts passwords over https only. */
  password?: string;
  /** PEM of the authority that signed the cluster's certificate, when it is not a public one. */
  ca?: string;
  /** Told to Trino as the query's source (shown in its UI and query log). */
  source?: string;
}

export interface TrinoColumn {
  name: string;
  /** Trino's name of the type: `varchar`, `decimal(18,2)`, `timestamp(6)`, ... */
  type: string;
}

export interface TrinoResult {
  columns: TrinoColumn[];
  rows: unknown[][];
  updateType?: string;
  updateCount?: number;
}

interface StatementResponse {
  id: string;
  nextUri?: string;
  columns?: TrinoColumn[];
  data?: unknown[][];
  updateType?: string;
  updateCount?: number;
  error?: { message: string; errorName: string; errorType: string; errorCode: number; errorLocation?: { lineNumber: number; columnNumber: number } };
}

/** A query Trino failed, with Trino's own classification (`PERMISSION_DENIED`, `USER_ERROR`, ...). */
export class TrinoQueryError extends Error {
  constructor(
    message: string,
    readonly errorName: string,
    readonly errorType: string,
    readonly queryId: string,
    readonly location?: { line: number; column: number },
  ) {
    super(message);
    this.name = 'TrinoQueryError';
  }
}

/** The coordinator answered with an HTTP error (401 for a refused login, 5xx after the retries). */
export class TrinoHttpError extends Error {
  constructor(readonly status: number, message: string) {
    super(message);
    this.name = 'TrinoHttpError';
  }
}

const RETRIED = new Set([502, 503, 504]);

export class TrinoClient {
  private readonly agent: http.Agent;
  private readonly secure: boolean;
  private readonly headers: Record<string, string>;

  constructor(readonly server: TrinoServer) {
    this.secure = server.url.startsWith('https:');
    this.agent = this.secure ? new https.Agent({ keepAlive: true, ca: server.ca }) : new http.Agent({ keepAlive: true });
    this.headers = {
      'X-Trino-User': server.user,
      'X-Trino-Source': server.source ?? 'mesh',
      // Dates and timestamps without a zone print the same on every machine.
      'X-Trino-Time-Zone': 'UTC',
      ...(server.password !== undefined ? { Authorization: `Basic ${Buffer.from(`${server.user}:${server.password}`).toString('base64')}` } : {}),
    };
  }

  /** Runs a statement to the end and returns all its rows: for statements and small results. */
  async query(sql: string): Promise<TrinoResult> {
    const result: TrinoResult = { columns: [], rows: [] };
    for await (const page of this.pages(sql)) {
      if (page.columns) result.columns = page.columns;
      if (page.data) for (const row of page.data) result.rows.push(row);
      if (page.updateType) result.updateType = page.updateType;
      if (page.updateCount !== undefined) result.updateCount = page.updateCount;
    }
    return result;
  }

  /**
   * The responses of one query, as they come. A caller that stops early (or fails) cancels the query on
   * the coordinator, so an abandoned statement does not keep running on the workers.
   */
  async *pages(sql: string): AsyncGenerator<StatementResponse> {
    let response = await this.request<StatementResponse>('POST', `${this.server.url}/v1/statement`, sql);
    let finished = false;
    try {
      for (;;) {
        if (response.error) {
          const e = response.error;
          throw new TrinoQueryError(e.message, e.errorName, e.errorType, response.id, e.errorLocation && { line: e.errorLocation.lineNumber, column: e.errorLocation.columnNumber });
        }
        yield response;
        if (!response.nextUri) {
          finished = true;
          return;
        }
        response = await this.request<StatementResponse>('GET', response.nextUri);
      }
    } finally {
      if (!finished && response.nextUri && !response.error) await this.request('DELETE', response.nextUri).catch(() => undefined);
    }
  }

  private async request<T>(method: string, url: string, body?: string): Promise<T> {
    for (let attempt = 0; ; attempt++) {
      const { status, text } = await this.send(method, url, body);
      if (status === 200 || (method === 'DELETE' && status < 300)) return (text ? JSON.parse(text) : {}) as T;
      if (RETRIED.has(status) && attempt < 6) {
        await new Promise((resolve) => setTimeout(resolve, 50 * 2 ** attempt));
        continue;
      }
      throw new TrinoHttpError(status, `${method} ${new URL(url).pathname}: HTTP ${status} ${text.trim().slice(0, 300)}`);
    }
  }

  private send(method: string, url: string, body?: string): Promise<{ status: number; text: string }> {
    const lib = this.secure ? https : http;
    return new Promise((resolve, reject) => {
      const req = lib.request(url, { method, agent: this.agent, headers: { ...this.headers, ...(body !== undefined ? { 'Content-Type': 'text/plain; charset=utf-8' } : {}) } }, (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (chunk: Buffer) => chunks.push(chunk));
        res.on('end', () => resolve({ status: res.statusCode ?? 0, text: Buffer.concat(chunks).toString('utf8') }));
        res.on('error', reject);
      });
      req.on('error', reject);
      req.end(body);
    });
  }

  close(): void {
    this.agent.destroy();
  }
}
