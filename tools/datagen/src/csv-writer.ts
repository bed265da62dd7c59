import { once } from 'node:events';
import { createWriteStream, type WriteStream } from 'node:fs';
import { csvRow, type CsvValue } from './csv';

/** About 1 MiB per write: few enough syscalls to be fast, small enough to keep memory flat. */
const CHUNK_CHARS = 1 << 20;

/**
 * Buffers rows into large string chunks and hands them to a file stream, waiting for 'drain'
 * when the stream is full. Without that wait a 10M-line file would be buffered in memory
 * by the stream itself.
 */
export class CsvWriter {
  private readonly stream: WriteStream;
  private buffer = '';
  private rowCount = 0;
  private failure: Error | undefined;

  constructor(
    readonly path: string,
    header: readonly string[],
  ) {
    // Room for a few chunks in flight lets the next chunk be built while the disk writes
    // the last one; beyond that, 'drain' holds the producer back.
    this.stream = createWriteStream(path, { encoding: 'utf8', highWaterMark: 4 * CHUNK_CHARS });
    // Kept rather than thrown: an 'error' with no listener would crash the process, and
    // the next flush or close reports it to the caller instead.
    this.stream.on('error', (error) => {
      this.failure ??= error;
    });
    this.buffer = csvRow(header);
  }

  /** Data rows written so far, the header not included. */
  get rows(): number {
    return this.rowCount;
  }

  /** Appends a row of fields, quoting where needed. Check `full` in long loops. */
  row(values: readonly CsvValue[]): void {
    this.buffer += csvRow(values);
    this.rowCount++;
  }

  /**
   * Appends a row the caller has already formatted, ending in '\n'. Only for rows made of
   * numbers and fixed tokens, which never need quoting: it skips the per-field work.
   */
  rawRow(line: string): void {
    this.buffer += line;
    this.rowCount++;
  }

  /**
   * True once a chunk's worth is buffered: then `await flush()`. A plain getter so hot loops
   * pay for an await (a microtask) once per chunk rather than once per row.
   */
  get full(): boolean {
    return this.buffer.length >= CHUNK_CHARS;
  }

  /** Hands the buffer to the stream and waits for 'drain' if the stream is over its limit. */
  async flush(): Promise<void> {
    if (this.failure) throw this.failure;
    if (this.buffer.length === 0) return;
    const chunk = this.buffer;
    this.buffer = '';
    if (!this.stream.write(chunk)) await once(this.stream, 'drain');
  }

  async close(): Promise<void> {
    await this.flush();
    await new Promise<void>((resolve, reject) => {
      this.stream.end((error?: Error | null) => (error ? reject(error) : resolve()));
    });
    if (this.failure) throw this.failure;
  }
}

/** Writes a small table in one go: the caller has it in memory already. */
export async function writeCsv(
  path: string,
  header: readonly string[],
  rows: Iterable<readonly CsvValue[]>,
): Promise<number> {
  const writer = new CsvWriter(path, header);
  for (const values of rows) {
    writer.row(values);
    if (writer.full) await writer.flush();
  }
  await writer.close();
  return writer.rows;
}
