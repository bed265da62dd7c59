/** A CSV cell value. Numbers are written as-is; ids and cents are integers throughout. */
export type CsvValue = string | number;

const NEEDS_QUOTES = /[",\r\n]/;

/**
 * RFC 4180 quoting. Only cells that need it are quoted, so the numeric hot path stays plain
 * and files look like what a typical export tool writes.
 */
export function csvField(value: CsvValue): string {
  if (typeof value === 'number') return String(value);
  if (!NEEDS_QUOTES.test(value)) return value;
  return `"${value.replace(/"/g, '""')}"`;
}

export function csvRow(values: readonly CsvValue[]): string {
  return values.map(csvField).join(',') + '\n';
}
