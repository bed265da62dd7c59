import { PyDate, PyDateTime } from './datetime';
import { PyError, pyRepr, pyStr } from './python';

/**
 * The result of `run_query` and `load_result(...).table` as dbt macros use it: agate's Table, with its
 * `columns` and `rows` (indexed by position or name), `column_names`, `columns[0].values()`, iteration
 * over rows, `| length`, and `print_table()` (which prints nothing here: the rows are for the template).
 */

/** A value as an adapter returns it; dates and timestamps are tagged so templates get Python's types. */
export type QueryValue = string | number | bigint | boolean | null | QueryValue[] | { [key: string]: QueryValue } | TemporalValue | NumberValue;

/**
 * A number as its exact text: DECIMAL values (`45.00`), and floats as Python prints them (`45.0`). agate reads
 * every number as a Decimal, so a template that prints one gets this text, as under dbt.
 */
export interface NumberValue {
  number: string;
}

export interface TemporalValue {
  temporal: 'date' | 'datetime';
  /** ISO text, `2024-01-31` or `2024-01-31 12:00:00[.ffffff][+hh:mm]`. */
  text: string;
}

export interface QueryResult {
  columns: Array<{ name: string; type: string }>;
  rows: QueryValue[][];
}

function isTemporal(value: unknown): value is TemporalValue {
  return typeof value === 'object' && value !== null && 'temporal' in value && 'text' in value;
}

/** A Decimal: prints as its text, computes as a number. */
export class PyDecimal {
  constructor(readonly text: string) {}
  valueOf(): number {
    return Number(this.text);
  }
  pyStr(): string {
    return this.text;
  }
  toString(): string {
    return this.text;
  }
  pyEq(other: unknown): boolean {
    return Number(other) === this.valueOf();
  }
  pyBool(): boolean {
    return this.valueOf() !== 0;
  }
}

function pythonValue(value: QueryValue): unknown {
  if (isTemporal(value)) return value.temporal === 'date' ? PyDate.parse(value.text) : PyDateTime.parse(value.text);
  if (value !== null && typeof value === 'object' && 'number' in value && typeof value.number === 'string' && Object.keys(value).length === 1) return new PyDecimal(value.number);
  if (typeof value === 'bigint') return Number.isSafeInteger(Number(value)) ? Number(value) : value;
  if (Array.isArray(value)) return value.map(pythonValue);
  return value;
}

/** agate's MappedSequence: a list you may also index by key. */
class MappedSequence<T> {
  // Private fields stay out of `name in row`, so a column named like one of them is still found by name.
  readonly #list: T[];
  readonly #keys: string[];

  constructor(list: T[], keys: string[]) {
    this.#list = list;
    this.#keys = keys;
  }

  pyGetItem(key: unknown): T | undefined {
    if (typeof key === 'number') return this.#list[key < 0 ? this.#list.length + key : key];
    const at = this.#keys.indexOf(String(key));
    if (at < 0) throw new PyError('KeyError', pyRepr(key));
    return this.#list[at];
  }

  pyLen(): number {
    return this.#list.length;
  }

  pyIter(): T[] {
    return this.#list;
  }

  get length(): number {
    return this.#list.length;
  }

  keys(): string[] {
    return this.#keys;
  }

  values(): T[] {
    return [...this.#list];
  }

  items(): Array<[string, T]> {
    return this.#keys.map((k, i) => [k, this.#list[i]!]);
  }

  get(key: unknown, fallback: unknown = null): unknown {
    const at = this.#keys.indexOf(String(key));
    return at < 0 ? fallback : this.#list[at];
  }

  dict(): Record<string, T> {
    return Object.fromEntries(this.#keys.map((k, i) => [k, this.#list[i]!]));
  }

  pyStr(): string {
    return `<agate.${this.constructor.name}: (${this.#list.map(pyRepr).join(', ')})>`;
  }
}

export class Row extends MappedSequence<unknown> {}

export class Column {
  constructor(
    readonly index: number,
    readonly name: string,
    readonly data_type: string,
    private readonly table: Table,
  ) {}

  values(): unknown[] {
    return this.table.rows.values().map((row) => (row as Row).pyGetItem(this.index));
  }

  values_distinct(): unknown[] {
    const seen: unknown[] = [];
    for (const v of this.values()) if (!seen.some((s) => pyStr(s) === pyStr(v) && typeof s === typeof v)) seen.push(v);
    return seen;
  }

  values_without_nulls(): unknown[] {
    return this.values().filter((v) => v !== null && v !== undefined);
  }

  values_sorted(): unknown[] {
    return [...this.values()].sort((a, b) => (pyStr(a) < pyStr(b) ? -1 : pyStr(a) > pyStr(b) ? 1 : 0));
  }

  pyStr(): string {
    return `<agate.Column: ${this.name}>`;
  }
}

export class Table {
  readonly rows: MappedSequence<Row>;
  readonly columns: MappedSequence<Column>;
  readonly column_names: string[];
  readonly column_types: string[];

  constructor(result: QueryResult) {
    this.column_names = result.columns.map((c) => c.name);
    this.column_types = result.columns.map((c) => c.type);
    this.rows = new MappedSequence(result.rows.map((r) => new Row(r.map(pythonValue), this.column_names)), []);
    this.columns = new MappedSequence(result.columns.map((c, i) => new Column(i, c.name, c.type, this)), this.column_names);
  }

  static empty(): Table {
    return new Table({ columns: [], rows: [] });
  }

  pyLen(): number {
    return this.rows.length;
  }

  pyIter(): Row[] {
    return this.rows.values();
  }

  pyGetItem(key: unknown): unknown {
    return this.rows.pyGetItem(key);
  }

  print_table(): string {
    return '';
  }

  print_json(): string {
    return '';
  }

  /** agate's `Table.where(fn)` with a macro or function that gets each row. */
  where(test: (row: Row) => unknown): Table {
    const kept = this.rows.values().filter((row) => Boolean(test(row)));
    const copy = new Table({ columns: [], rows: [] });
    Object.assign(copy, {
      column_names: this.column_names,
      column_types: this.column_types,
      rows: new MappedSequence(kept, []),
    });
    Object.assign(copy, { columns: new MappedSequence(this.column_names.map((n, i) => new Column(i, n, this.column_types[i]!, copy)), this.column_names) });
    return copy;
  }

  pyStr(): string {
    return `<agate.Table: ${this.rows.length} rows, columns ${this.column_names.join(', ')}>`;
  }
}

/** dbt's adapter response (`load_result('x').response`): what a statement did. */
export interface AdapterResponse {
  _message: string;
  code: string;
  rows_affected: number | null;
}
