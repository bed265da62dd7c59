import { z } from 'zod';
import { MeshError } from '@mesh/errors';
import { didYouMean } from '@mesh/validate';

/**
 * dbt's `flags:` in dbt_project.yml. The ones that change what a build does are applied: `fail_fast`
 * (stop at the first failure, skip the rest), `warn_error` and `warn_error_options` (warnings fail, a
 * warning test fails), `partial_parse` (the parse cache), `indirect_selection` (which tests a selection
 * of models brings along). dbt's other flags (logging, colours, telemetry, behaviour changes the engine
 * already follows) are accepted and change nothing; a name dbt does not have is warned about.
 */

export type IndirectSelection = 'eager' | 'cautious' | 'buildable' | 'empty';

export interface BuildFlags {
  failFast: boolean;
  warnError: boolean;
  partialParse: boolean;
  indirectSelection?: IndirectSelection;
}

const flagsSchema = z.looseObject({
  fail_fast: z.boolean().optional(),
  warn_error: z.boolean().optional(),
  warn_error_options: z.looseObject({
    include: z.union([z.string(), z.array(z.string())]).optional(),
    error: z.union([z.string(), z.array(z.string())]).optional(),
    exclude: z.union([z.string(), z.array(z.string())]).optional(),
    warn: z.union([z.string(), z.array(z.string())]).optional(),
    silence: z.union([z.string(), z.array(z.string())]).optional(),
  }).optional(),
  partial_parse: z.boolean().optional(),
  indirect_selection: z.enum(['eager', 'cautious', 'buildable', 'empty']).optional(),
});

/** dbt 1.12's project flags, so a project's own are not mistaken for typos. */
const DBT_FLAGS = new Set([
  'cache_selected_only', 'debug', 'fail_fast', 'hints_enabled', 'indirect_selection', 'log_format', 'log_format_file',
  'log_level', 'log_level_file', 'maximum_seed_size_mib', 'partial_parse', 'populate_cache', 'printer_width',
  'send_anonymous_usage_stats', 'static_parser', 'use_colors', 'use_colors_file', 'use_experimental_parser',
  'use_v2_parser', 'v2_parser', 'version_check', 'warn_error', 'warn_error_options', 'write_json',
  'require_batched_execution_for_custom_microbatch_strategy', 'require_event_names_in_deprecations',
  'require_explicit_package_overrides_for_builtin_materializations', 'require_resource_names_without_spaces',
  'source_freshness_run_project_hooks', 'skip_nodes_if_on_run_start_fails', 'state_modified_compare_more_unrendered_values',
  'state_modified_compare_vars', 'require_yaml_configuration_for_mf_time_spines', 'require_nested_cumulative_type_params',
  'validate_macro_args', 'require_all_warnings_handled_by_warn_error', 'require_generic_test_arguments_property',
  'require_unique_project_resource_names', 'require_ref_searches_node_package_before_root',
  'require_valid_schema_from_generate_schema_name', 'allow_jinja_file_extensions', 'require_sql_header_in_test_configs',
  'support_custom_ref_kwargs', 'require_corrected_analysis_fqns', 'require_source_and_semantic_model_names_without_spaces',
  'enable_grouped_warn_error_parser_logs', 'use_catalogs_v2', 'latest_version_pointer_enabled_by_default',
]);

const includesAll = (value: string | string[] | undefined) => (Array.isArray(value) ? value : value ? [value] : []).some((v) => v === 'all' || v === '*');

export function projectFlags(
  raw: Record<string, unknown> | undefined,
  where: { file: string; lineOf(path: readonly PropertyKey[]): number | undefined },
  warnings: MeshError[],
): BuildFlags {
  const parsed = flagsSchema.safeParse(raw ?? {});
  if (!parsed.success) {
    const issue = parsed.error.issues[0]!;
    throw new MeshError('E_YAML_SCHEMA', `project file: flags.${issue.path.join('.')}: ${issue.message}`, {
      location: { file: where.file, line: where.lineOf(['flags', ...issue.path]) },
      hint: 'fail_fast, warn_error and partial_parse are true or false; indirect_selection is eager, cautious, buildable or empty.',
    });
  }
  for (const name of Object.keys(raw ?? {})) {
    if (DBT_FLAGS.has(name)) continue;
    const guess = didYouMean(name, DBT_FLAGS);
    warnings.push(new MeshError('W_FLAG_UNKNOWN', `flags.${name} is not a dbt flag; it is ignored`, {
      location: { file: where.file, line: where.lineOf(['flags', name]) },
      hint: guess ? `Did you mean '${guess}'?` : 'See dbt\'s list of project flags.',
    }));
  }
  const f = parsed.data;
  const options = f.warn_error_options;
  return {
    failFast: f.fail_fast === true,
    warnError: f.warn_error === true || includesAll(options?.include) || includesAll(options?.error),
    partialParse: f.partial_parse !== false,
    indirectSelection: f.indirect_selection,
  };
}
