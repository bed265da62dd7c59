import { splitArgs } from '../jinja/python';

export type RelationType = 'table' | 'view' | 'cte' | 'materialized_view' | 'external' | null;

interface Parts {
  database: string;
  schema: string;
  identifier: string;
}

type Include = { database: boolean; schema: boolean; identifier: boolean };

const ALL: Include = { database: true, schema: true, identifier: true };

function quote(part: string): string {
  return `"${part.replaceAll('"', '""')}"`;
}

/**
 * A database relation as templates see it, with dbt's Relation API: `{{ ref('m') }}` prints the quoted
 * name; `.database`, `.schema`, `.identifier`, `.name`, `.type`, `.is_table`, `.include(database=false)`,
 * `.incorporate(path={...})`, `.without_identifier()`, `.render()` work as in dbt.
 */
export class Relation {
  type: RelationType = null;
  protected includes: Include = ALL;

  constructor(
    readonly database: string,
    readonly schema: string,
    readonly identifier: string,
  ) {}

  get name(): string {
    return this.identifier;
  }

  get table(): string {
    return this.identifier;
  }

  get is_table(): boolean {
    return this.type === 'table';
  }

  get is_view(): boolean {
    return this.type === 'view';
  }

  get is_cte(): boolean {
    return this.type === 'cte';
  }

  get is_materialized_view(): boolean {
    return this.type === 'materialized_view';
  }

  get path(): Parts {
    return { database: this.database, schema: this.schema, identifier: this.identifier };
  }

  /** Rendering uses toString; the quoted three-part name is safe for any identifier. */
  toString(): string {
    const parts: string[] = [];
    if (this.includes.database && this.database) parts.push(this.database);
    if (this.includes.schema && this.schema) parts.push(this.schema);
    if (this.includes.identifier && this.identifier) parts.push(this.identifier);
    return parts.map(quote).join('.');
  }

  render(): string {
    return this.toString();
  }

  pyStr(): string {
    return this.toString();
  }

  pyEq(other: unknown): boolean {
    return other instanceof Relation && other.toString() === this.toString();
  }

  /** A copy with other parts or type: how dbt's `incorporate` and `replace_path` make a derived relation. */
  protected derive(parts: Partial<Parts>, type: RelationType, includes: Include): Relation {
    const copy = new Relation(parts.database ?? this.database, parts.schema ?? this.schema, parts.identifier ?? this.identifier);
    copy.type = type;
    copy.includes = includes;
    return copy;
  }

  include(...raw: unknown[]): Relation {
    const { args, kwargs } = splitArgs(raw);
    const [database, schema, identifier] = [kwargs.database ?? args[0], kwargs.schema ?? args[1], kwargs.identifier ?? args[2]];
    return this.derive({}, this.type, {
      database: database === undefined || database === null ? this.includes.database : Boolean(database),
      schema: schema === undefined || schema === null ? this.includes.schema : Boolean(schema),
      identifier: identifier === undefined || identifier === null ? this.includes.identifier : Boolean(identifier),
    });
  }

  incorporate(...raw: unknown[]): Relation {
    const { args, kwargs } = splitArgs(raw);
    const path = (kwargs.path ?? args[0] ?? {}) as Partial<Record<keyof Parts, string | null>>;
    const type = (kwargs.type ?? this.type) as RelationType;
    const parts: Partial<Parts> = {};
    const includes = { ...this.includes };
    for (const key of ['database', 'schema', 'identifier'] as const) {
      if (!(key in path)) continue;
      const value = path[key];
      if (value === null || value === undefined) {
        parts[key] = '';
        includes[key] = false;
      } else parts[key] = String(value);
    }
    return this.derive(parts, type, includes);
  }

  replace_path(...raw: unknown[]): Relation {
    const { kwargs } = splitArgs(raw);
    return this.incorporate({ path: kwargs, __keywords: true });
  }

  without_identifier(): Relation {
    return this.derive({}, this.type, { ...this.includes, identifier: false });
  }

  quote(): Relation {
    return this;
  }

  /**
   * dbt's relations are mappings (`relation is mapping`, `relation.get('metadata')`): packages check
   * `obj.get('metadata', {}).get('type', '').endswith('Relation')` to tell one from a string.
   */
  get(key: unknown, fallback?: unknown): unknown {
    if (key === 'metadata') return { type: 'BaseRelation' };
    const value = (this.path as unknown as Record<string, unknown>)[String(key)];
    return value === undefined ? (fallback ?? null) : value;
  }

  /** dbt's `relation.matches(database, schema, identifier)`, case-insensitive as DuckDB's names are. */
  matches(...raw: unknown[]): boolean {
    const { args, kwargs } = splitArgs(raw);
    const want = { database: kwargs.database ?? args[0], schema: kwargs.schema ?? args[1], identifier: kwargs.identifier ?? args[2] };
    return (['database', 'schema', 'identifier'] as const).every((k) => want[k] === undefined || want[k] === null || String(want[k]).toLowerCase() === this[k].toLowerCase());
  }
}

/** A relation whose printed form is a placeholder, swapped for the real name once the graph is resolved. */
export class PlaceholderRelation extends Relation {
  constructor(
    readonly token: string,
    database: string,
    schema: string,
    identifier: string,
  ) {
    super(database, schema, identifier);
  }

  override toString(): string {
    return this.token;
  }
}

/** A relation the graph resolved, printed as compiled SQL names it in the target (a CTE for an ephemeral). */
export class ResolvedRelation extends Relation {
  constructor(
    database: string,
    schema: string,
    identifier: string,
    private readonly sql: string,
    type: RelationType,
  ) {
    super(database, schema, identifier);
    this.type = type;
  }

  override toString(): string {
    return this.includes === ALL ? this.sql : super.toString();
  }
}

/** The tested relation with a test's `where` config applied, as dbt hands it to a generic test's `model`. */
export class FilteredRelation extends Relation {
  constructor(
    readonly inner: Relation,
    readonly where: string,
  ) {
    super(inner.database, inner.schema, inner.identifier);
    this.type = inner.type;
  }

  override toString(): string {
    return `(select * from ${this.inner.toString()} where ${this.where}) as dbt_subquery`;
  }
}
