/** A database relation as templates see it: `{{ ref('m') }}` prints the quoted name; `.identifier` etc. work. */
export class Relation {
  constructor(
    readonly database: string,
    readonly schema: string,
    readonly identifier: string,
  ) {}

  get name(): string {
    return this.identifier;
  }

  /** Rendering uses toString; the quoted three-part name is safe for any identifier. */
  toString(): string {
    const parts = this.database ? [this.database, this.schema, this.identifier] : [this.schema, this.identifier];
    return parts.map((p) => `"${p.replaceAll('"', '""')}"`).join('.');
  }

  render(): string {
    return this.toString();
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

/** The tested relation with a test's `where` config applied, as dbt hands it to a generic test's `model`. */
export class FilteredRelation extends Relation {
  constructor(
    readonly inner: Relation,
    readonly where: string,
  ) {
    super(inner.database, inner.schema, inner.identifier);
  }

  override toString(): string {
    return `(select * from ${this.inner.toString()} where ${this.where}) as dbt_subquery`;
  }
}
