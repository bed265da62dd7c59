import { kindOf } from './column-types';
import type { RowQuery } from './row-query';
import type { PortTable } from './row-sql';

/**
 * Keyed lookups answered together. A query costs DuckDB about the same for one key as for dozens (its
 * price is starting the query, not reading a row), so lookups of one port and shape that arrive while
 * they wait for a connection join one batch, and the batch is sealed the moment a connection is free.
 * A lookup that finds a connection idle waits for nothing; under load, the engine answers many
 * requests per query instead of one.
 */

/**
 * Tables this small (one DuckDB row group) are read whole by any lookup, so one IN query serves a batch
 * for the price of one key. In a bigger table DuckDB skips the row groups whose key range misses the
 * value; an IN list of scattered keys touches many, and reads them all: there each lookup runs alone.
 */
export const BATCHED_TABLE_ROWS = 122_880;

/**
 * The key value of a request that looks up one row by a one-column primary key and asks nothing else,
 * written as DuckDB prints it back (`CAST(key AS VARCHAR)`), so rows find their request; undefined for
 * any other request, and for key types whose text DuckDB may print otherwise than it was asked.
 */
export function lookupKeyOf(table: PortTable, query: RowQuery): string | undefined {
  const [key] = table.primaryKey;
  const [filter] = query.filters;
  if (!key || table.primaryKey.length !== 1 || query.filters.length !== 1 || query.cursor !== undefined) return undefined;
  if (!filter || filter.op !== 'eq' || filter.column.name !== key.name) return undefined;
  const value = filter.values[0]!;
  switch (kindOf(key.type)) {
    case 'integer':
      return BigInt(value).toString();
    case 'string':
      return value;
    case 'uuid':
      return value.toLowerCase();
    default:
      return undefined;
  }
}

interface Waiter {
  resolve: (lines: string[]) => void;
  reject: (error: unknown) => void;
}

interface Batch {
  waiters: Map<string, Waiter[]>;
}

/**
 * Runs a batch: `seal` is called once a connection is ready, and returns the batch's keys; no key joins
 * after it. Resolves to the lines found for each key.
 */
export type LookupExecutor = (seal: () => string[]) => Promise<Map<string, string[]>>;

export class LookupBatcher {
  private open: Batch | undefined;
  private running = 0;

  /**
   * @param max keys in one batch at most; a full batch is sealed and the next lookups start another.
   * @param onIdle called when no batch is open or running, so an owner can let go of an unused batcher.
   */
  constructor(private readonly execute: LookupExecutor, private readonly max = 128, private readonly onIdle?: () => void) {}

  /** The lines of the rows whose key is `key`, read in a batch with whatever lookups are waiting beside it. */
  get(key: string): Promise<string[]> {
    const fresh = !this.open;
    const batch = (this.open ??= { waiters: new Map() });
    const answer = new Promise<string[]>((resolve, reject) => {
      const list = batch.waiters.get(key);
      if (list) list.push({ resolve, reject });
      else batch.waiters.set(key, [{ resolve, reject }]);
    });
    if (batch.waiters.size >= this.max) this.open = undefined;
    if (fresh) void this.run(batch);
    return answer;
  }

  private async run(batch: Batch): Promise<void> {
    this.running++;
    const seal = () => {
      if (this.open === batch) this.open = undefined;
      return [...batch.waiters.keys()];
    };
    try {
      const found = await this.execute(seal);
      for (const [key, waiters] of batch.waiters) for (const w of waiters) w.resolve(found.get(key) ?? []);
    } catch (error) {
      for (const waiters of batch.waiters.values()) for (const w of waiters) w.reject(error);
    } finally {
      if (this.open === batch) this.open = undefined;
      this.running--;
      if (this.running === 0 && !this.open) this.onIdle?.();
    }
  }
}
