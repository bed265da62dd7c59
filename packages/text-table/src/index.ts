/** Renders rows as an aligned plain-text table with a header rule; values are shown as the user would type them. */
export function formatTable(columns: string[], rows: Array<Record<string, unknown>>, options: { maxWidth?: number } = {}): string {
  const max = options.maxWidth ?? 40;
  const show = (v: unknown): string => {
    const text = v === null || v === undefined ? 'null' : typeof v === 'object' ? JSON.stringify(v) : String(v);
    return text.length > max ? `${text.slice(0, max - 1)}…` : text;
  };
  const cells = rows.map((row) => columns.map((c) => show(row[c])));
  const widths = columns.map((c, i) => Math.max(c.length, ...cells.map((r) => r[i]!.length)));
  const line = (values: string[]) => values.map((v, i) => v.padEnd(widths[i]!)).join(' | ').trimEnd();
  return [line(columns), widths.map((w) => '-'.repeat(w)).join('-|-'), ...cells.map(line)].join('\n');
}
