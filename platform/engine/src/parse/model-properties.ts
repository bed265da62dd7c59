import { MeshError } from '@mesh/errors';
import type { PropertiesSource } from '../load/load-project';
import type { ColumnInput, ModelPropertiesInput } from '../load/schemas';
import type { ColumnDef } from '../types';

/**
 * Model properties as dbt reads them: an entry per model, and for a versioned model one node per
 * version, each with the model's columns (`include`/`exclude`) plus its own, and the model's tests
 * unless the version lists its own.
 */

type VersionInput = NonNullable<ModelPropertiesInput['versions']>[number];
type VersionColumnEntry = NonNullable<VersionInput['columns']>[number];

export interface ModelProps {
  props: ModelPropertiesInput;
  file: PropertiesSource;
  index: number;
  /** For a versioned model file: its version and that version's properties. */
  version?: { v: string; props: VersionInput; index: number };
}

export function columns(input: ColumnInput[] | undefined): ColumnDef[] {
  return (input ?? []).map((c) => ({
    name: c.name,
    description: c.description ?? '',
    data_type: c.data_type,
    constraints: (c.constraints ?? []).map((k) => ({ type: k.type, expression: k.expression, name: k.name })),
    tags: [...(c.tags ?? []), ...(c.config?.tags ?? [])],
    meta: { ...(c.meta ?? {}), ...(c.config?.meta ?? {}) },
  }));
}

/** Index of model properties by the SQL file base name they describe (versions: `<name>_v<v>` or defined_in). */
export function indexModelProperties(files: PropertiesSource[]): Map<string, ModelProps> {
  const out = new Map<string, ModelProps>();
  const claim = (key: string, value: ModelProps) => {
    const existing = out.get(key);
    if (existing) {
      throw new MeshError('E_DUPLICATE_PROPERTIES', `model '${key}' is described twice`, {
        location: { file: value.file.path, line: value.file.lineOf(['models', value.index]) },
        hint: `It is also described in ${existing.file.path}; keep one entry.`,
      });
    }
    out.set(key, value);
  };
  for (const file of files) {
    (file.data.models ?? []).forEach((props, index) => {
      if (!props.versions?.length) {
        claim(props.name, { props, file, index });
        return;
      }
      props.versions.forEach((vp, vi) => {
        claim(vp.defined_in ?? `${props.name}_v${vp.v}`, { props, file, index, version: { v: vp.v, props: vp, index: vi } });
      });
    });
  }
  return out;
}

function isIncludeExclude(entry: VersionColumnEntry): entry is Extract<VersionColumnEntry, { include: unknown }> {
  return 'include' in entry;
}

/** The model's column entries a version keeps: all of them unless its `include:`/`exclude:` says otherwise. */
function includedBase(base: ColumnInput[], entries: VersionColumnEntry[] | undefined): ColumnInput[] {
  const rule = entries?.find(isIncludeExclude);
  if (!rule) return base;
  const exclude = new Set(rule.exclude ?? []);
  const all = rule.include === 'all' || rule.include === '*';
  const names = all ? undefined : new Set(Array.isArray(rule.include) ? rule.include : [rule.include]);
  return base.filter((c) => (!names || names.has(c.name)) && !exclude.has(c.name));
}

/** The column entries of one version, in dbt's order: the model's it includes, then its own. */
export function versionColumnInputs(props: ModelPropertiesInput, version: ModelProps['version']): Array<{ column: ColumnInput; path: PropertyKey[] }> {
  const base = (props.columns ?? []).map((column, ci) => ({ column, path: ['columns', ci] as PropertyKey[] }));
  if (!version?.props.columns) return base;
  const entries = version.props.columns;
  const kept = new Set(includedBase(props.columns ?? [], entries));
  const own = (entries ?? []).flatMap((e, ci) => (isIncludeExclude(e) ? [] : [{ column: e as ColumnInput, path: ['versions', version.index, 'columns', ci] as PropertyKey[] }]));
  return [...base.filter((b) => kept.has(b.column)), ...own];
}

/** A version's columns as node columns: a version's own entry for a column replaces the model's. */
export function versionColumns(props: ModelPropertiesInput, version: ModelProps['version']): ColumnDef[] {
  if (!version?.props.columns) return columns(props.columns);
  const out: ColumnDef[] = [];
  for (const col of columns(versionColumnInputs(props, version).map((c) => c.column))) {
    const i = out.findIndex((c) => c.name === col.name);
    if (i >= 0) out[i] = col;
    else out.push(col);
  }
  return out;
}

/** The model-level tests of a node: a version's own list when it has one, else the model's. */
export function modelTests(props: ModelPropertiesInput, version: ModelProps['version']): unknown[] {
  const own = version && (version.props.tests ?? version.props.data_tests);
  return own ?? [...(props.tests ?? []), ...(props.data_tests ?? [])];
}
