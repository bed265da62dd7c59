import type { FreshnessInput, SourceInput } from '../load/schemas';
import type { FreshnessRule } from '../types';

type TableInput = SourceInput['tables'][number];

function rule(input: NonNullable<FreshnessInput>): FreshnessRule {
  const out: FreshnessRule = {};
  if (input.warn_after) out.warn_after = input.warn_after;
  if (input.error_after) out.error_after = input.error_after;
  if (input.filter) out.filter = input.filter;
  return out;
}

/** `config.freshness` wins over `freshness:` (dbt 1.9 moved it into config); undefined when neither says. */
function declared(node: { freshness?: FreshnessInput; config?: { freshness?: FreshnessInput } }): FreshnessInput | undefined {
  return node.config?.freshness !== undefined ? node.config.freshness : node.freshness;
}

/**
 * A table's freshness as dbt merges it: the source's thresholds, each overridden by the table's own;
 * `freshness: null` on the table switches the source's off. Returns undefined when nothing is declared.
 */
export function tableFreshness(source: SourceInput, table: TableInput): FreshnessRule | null | undefined {
  const base = declared(source);
  const own = declared(table);
  if (own === null) return null;
  if (own === undefined) return base === undefined || base === null ? base : rule(base);
  if (base === undefined || base === null) return rule(own);
  return { ...rule(base), ...rule(own) };
}

/** The loaded_at field or query of a table, the table's over the source's. */
export function loadedAt(source: SourceInput, table: TableInput): { field?: string; query?: string } {
  return {
    field: table.config?.loaded_at_field ?? table.loaded_at_field ?? source.config?.loaded_at_field ?? source.loaded_at_field,
    query: table.config?.loaded_at_query ?? table.loaded_at_query ?? source.config?.loaded_at_query ?? source.loaded_at_query,
  };
}
