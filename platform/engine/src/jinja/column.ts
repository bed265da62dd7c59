import { splitArgs } from './python';

/**
 * dbt's `api.Column` (what `adapter.get_columns_in_relation` returns): `.name`, `.column`, `.dtype`,
 * `.data_type`, `.quoted`, `is_string()`, `is_number()`, ... as dbt's base Column answers them.
 */
export class DbtColumn {
  constructor(
    readonly column: string,
    readonly dtype: string,
    readonly char_size: number | null = null,
    readonly numeric_precision: number | null = null,
    readonly numeric_scale: number | null = null,
  ) {}

  /** `api.Column(name, dtype, ...)` as a template calls it, keyword arguments included. */
  static create(...raw: unknown[]): DbtColumn {
    const { args, kwargs } = splitArgs(raw);
    const num = (v: unknown) => (v === undefined || v === null ? null : Number(v));
    return new DbtColumn(
      String(kwargs.column ?? kwargs.name ?? args[0]),
      String(kwargs.dtype ?? kwargs.data_type ?? args[1]),
      num(kwargs.char_size ?? args[2]),
      num(kwargs.numeric_precision ?? args[3]),
      num(kwargs.numeric_scale ?? args[4]),
    );
  }

  get name(): string {
    return this.column;
  }

  get quoted(): string {
    return `"${this.column.replaceAll('"', '""')}"`;
  }

  get data_type(): string {
    if (this.is_string() && this.char_size !== null) return `character varying(${this.char_size})`;
    if (this.is_numeric() && this.numeric_precision !== null && this.numeric_scale !== null) return `${this.dtype}(${this.numeric_precision},${this.numeric_scale})`;
    return this.dtype;
  }

  private get lower(): string {
    return this.dtype.toLowerCase();
  }

  is_string(): boolean {
    return ['text', 'character varying', 'character', 'varchar', 'string', 'char'].includes(this.lower) || this.lower.startsWith('varchar(');
  }

  is_integer(): boolean {
    return ['smallint', 'integer', 'bigint', 'hugeint', 'int', 'int2', 'int4', 'int8', 'tinyint', 'serial', 'bigserial', 'smallserial', 'utinyint', 'usmallint', 'uinteger', 'ubigint', 'uhugeint'].includes(this.lower);
  }

  is_float(): boolean {
    return ['real', 'float', 'float4', 'float8', 'double', 'double precision'].includes(this.lower);
  }

  is_numeric(): boolean {
    return this.lower.startsWith('numeric') || this.lower.startsWith('decimal');
  }

  is_number(): boolean {
    return this.is_integer() || this.is_float() || this.is_numeric();
  }

  string_size(): number {
    return this.char_size ?? 256;
  }

  can_expand_to(other: DbtColumn): boolean {
    return this.is_string() && other.is_string() && this.string_size() < other.string_size();
  }

  literal(value: unknown): string {
    return `${String(value)}::${this.data_type}`;
  }

  pyStr(): string {
    return `<Column ${this.name} (${this.data_type})>`;
  }
}

/** `api.Column` as templates see it: callable, with its class methods. */
export function columnApi(translateType: (label: string) => string): (...raw: unknown[]) => DbtColumn {
  const api = (...raw: unknown[]) => DbtColumn.create(...raw);
  return Object.assign(api, {
    create: (name: unknown, labelOrType: unknown) => new DbtColumn(String(name), translateType(String(labelOrType))),
    translate_type: (label: unknown) => translateType(String(label)),
    numeric_type: (dtype: unknown, precision: unknown, scale: unknown) =>
      precision === null || precision === undefined || scale === null || scale === undefined ? String(dtype) : `${String(dtype)}(${String(precision)},${String(scale)})`,
    string_type: (size: unknown) => `character varying(${String(size)})`,
  });
}
