/**
 * A failing unit test's rows as dbt shows them (daff's diff): a header row `@@`, then the rows in order,
 * each differing one marked `+++` (only in actual), `---` (only in expected) or `→` (a row whose cells
 * changed, `expected→actual`); an equal row is shown unmarked next to a change, and `...` stands for
 * equal rows between.
 */
export interface UnitTestDiff {
  columns: string[];
  rows: Array<{ marker: '+++' | '---' | '→' | '' | '...'; cells: string[] }>;
  /** More rows differ than are shown. */
  truncated: boolean;
}

type Row = Array<string | null>;

const text = (value: string | null) => (value === null ? 'null' : value);

/**
 * Pairs an expected row with an actual row that has the same first column (the key, in nearly every
 * unit test) when exactly one of each has it, as daff aligns a changed row; the rest stay one-sided.
 */
export function pairDifferences(columns: string[], expected: Row[], actual: Row[], same: Row[], truncated: boolean): UnitTestDiff {
  const keyOf = (row: Row) => text(row[0] ?? null);
  const count = (rows: Row[]) => {
    const m = new Map<string, number>();
    for (const r of rows) m.set(keyOf(r), (m.get(keyOf(r)) ?? 0) + 1);
    return m;
  };
  const expectedKeys = count(expected);
  const actualKeys = count(actual);
  const paired = (row: Row) => columns.length > 1 && expectedKeys.get(keyOf(row)) === 1 && actualKeys.get(keyOf(row)) === 1;
  const lines: Array<{ key: string; order: number; marker: UnitTestDiff['rows'][number]['marker']; cells: string[] }> = [];
  for (const row of same) lines.push({ key: keyOf(row), order: 0, marker: '', cells: row.map(text) });
  for (const row of expected) {
    if (paired(row)) {
      const other = actual.find((a) => keyOf(a) === keyOf(row))!;
      lines.push({ key: keyOf(row), order: 0, marker: '→', cells: row.map((v, i) => (v === other[i] ? text(v) : `${text(v)}→${text(other[i] ?? null)}`)) });
    } else lines.push({ key: keyOf(row), order: 2, marker: '---', cells: row.map(text) });
  }
  for (const row of actual) if (!paired(row)) lines.push({ key: keyOf(row), order: 1, marker: '+++', cells: row.map(text) });
  lines.sort((a, b) => a.key.localeCompare(b.key, undefined, { numeric: true }) || a.order - b.order || a.cells.join('\u0000').localeCompare(b.cells.join('\u0000')));
  // Equal rows next to a change stay as context; a run of others becomes one `...`.
  const near = (i: number) => [i - 1, i + 1].some((j) => lines[j] !== undefined && lines[j]!.marker !== '');
  const rows: UnitTestDiff['rows'] = [];
  lines.forEach((line, i) => {
    if (line.marker !== '' || near(i)) rows.push({ marker: line.marker, cells: line.cells });
    else if (rows[rows.length - 1]?.marker !== '...') rows.push({ marker: '...', cells: columns.map(() => '...') });
  });
  return { columns, rows, truncated };
}

/** The diff as daff's terminal rendering draws it, without colours: cells padded, separated by commas. */
export function renderUnitTestDiff(diff: UnitTestDiff): string {
  const table = [['@@', ...diff.columns], ...diff.rows.map((r) => [r.marker, ...r.cells])];
  const widths = table[0]!.map((_, i) => Math.max(...table.map((row) => [...(row[i] ?? '')].length)));
  const lines = table.map((row) => row.map((cell, i) => (i === row.length - 1 ? cell : cell.padEnd(widths[i]!))).join(','));
  if (diff.truncated) lines.push('...');
  return lines.join('\n');
}
