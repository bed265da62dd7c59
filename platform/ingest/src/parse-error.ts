import { openSync, readSync, closeSync } from 'node:fs';
import type { SourceConfig } from './config';

/** The line DuckDB names in a reader's error (`CSV Error on Line: 3`, `in line 3`), if it names one. */
export function lineOfReaderError(message: string): number | undefined {
  // Case matters: DuckDB's `LINE 1:` points into the SQL statement, not into the file.
  const m = /CSV Error on Line: (\d+)/.exec(message) ?? /\bin line (\d+)\b/.exec(message);
  return m ? Number(m[1]) : undefined;
}

/** The sniffer gives up on a file without saying where; a second, strict read then finds the line. */
export function isSnifferFailure(message: string): boolean {
  return /Error when sniffing file/.test(message);
}

/** The first lines of DuckDB's message: the gist, without its long list of reader options. */
export function gist(message: string): string {
  return message.split('\n').filter((l) => l.trim()).slice(0, 3).join('\n');
}

/**
 * The column names of a CSV file's header (or column0.. when it has none), read from its first few
 * kilobytes: enough to read the file strictly as text and find the line it breaks on.
 */
export function csvHeader(file: string, source: SourceConfig): string[] {
  const o = source.csv ?? { delimiter: ',', header: true, quote: '"', skip: 0 };
  const buffer = Buffer.alloc(64 * 1024);
  const fd = openSync(file, 'r');
  let length: number;
  try {
    length = readSync(fd, buffer, 0, buffer.length, 0);
  } finally {
    closeSync(fd);
  }
  const line = buffer.subarray(0, length).toString('utf8').split(/\r?\n/)[o.skip] ?? '';
  const fields: string[] = [];
  let current = '';
  let quoted = false;
  for (let i = 0; i < line.length; i++) {
    const ch = line[i]!;
    if (o.quote && ch === o.quote) quoted = !quoted;
    else if (!quoted && line.startsWith(o.delimiter, i)) {
      fields.push(current);
      current = '';
      i += o.delimiter.length - 1;
    } else current += ch;
  }
  fields.push(current);
  return o.header ? fields.map((f, i) => f.trim() || `column${i}`) : fields.map((_, i) => `column${i}`);
}
