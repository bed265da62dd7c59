import type { CompiledProject, ModelNode } from '@mesh/engine';
import { resolveVersion } from '@mesh/model-versions';
import type { DataProduct } from '../data-product';

/** A model an SLO is measured on, as the measurement needs it: its relation and its required columns. */
export interface SloModel {
  uniqueId: string;
  name: string;
  /** The relation as SQL, e.g. `"sales"."gold"."order_summary"`. */
  relation: string;
  /** Columns the model promises are never null: not_null or primary_key constraints, or a not_null test. */
  required: string[];
}

export type SloName = 'completeness' | 'freshness' | 'row_count';

export interface SloTarget {
  slo: SloName;
  models: SloModel[];
  /**
   * Completeness: the columns asked for (each model's required columns when undefined). Freshness: the
   * timestamp column, or undefined for the load time. Matched against the built tables' columns.
   */
  columns?: string[];
  /** Whether the models were named in the SLO (rather than taken from the output ports). */
  named: boolean;
  onBreach: 'fail' | 'warn';
}

/** What a target could not be set up for: measured as an error, so a promise is never silently dropped. */
export interface SloSetupProblem {
  slo: SloName;
  model: string;
  column?: string;
  message: string;
  onBreach: 'fail' | 'warn';
}

function requiredColumns(project: CompiledProject, node: ModelNode): string[] {
  const out = new Set<string>();
  for (const c of node.columns) if (c.constraints.some((k) => k.type === 'not_null' || k.type === 'primary_key')) out.add(c.name);
  for (const n of project.dag.nodes.values()) {
    if (n.resource_type === 'test' && n.attached_node === node.unique_id && n.test_metadata?.name === 'not_null' && n.column_name) out.add(n.column_name);
  }
  return [...out];
}

/** The project's own models by name; a versioned model answers with its latest version. */
function modelsByName(project: CompiledProject): Map<string, ModelNode> {
  const byName = new Map<string, ModelNode[]>();
  for (const n of project.dag.nodes.values()) {
    if (n.resource_type !== 'model' || n.external || n.package_name !== project.parsed.name || n.config.materialized === 'ephemeral') continue;
    byName.set(n.name, [...(byName.get(n.name) ?? []), n]);
  }
  const out = new Map<string, ModelNode>();
  for (const [name, candidates] of byName) {
    const latest = resolveVersion(candidates, undefined, (c) => ({ version: c.version, latestVersion: c.latest_version }));
    if (latest) out.set(name, latest);
  }
  return out;
}

/**
 * Decides what each SLO of the descriptor is measured on. An SLO without `model:`/`models:` covers every
 * output port; completeness without `columns:` covers each model's required columns. Columns are matched
 * when measuring, against the tables as built.
 */
export function sloTargets(project: CompiledProject, product: DataProduct): { targets: SloTarget[]; problems: SloSetupProblem[] } {
  const slos = product.slos;
  const targets: SloTarget[] = [];
  const problems: SloSetupProblem[] = [];
  if (!slos) return { targets, problems };
  const byName = modelsByName(project);
  const relationOf = (n: ModelNode) => (project.manifest.nodes[n.unique_id] as { relation_name: string }).relation_name;
  const asTarget = (n: ModelNode): SloModel => ({ uniqueId: n.unique_id, name: n.name, relation: relationOf(n), required: requiredColumns(project, n) });
  const portModels = [...new Set(product.output_ports.map((p) => p.model))];
  const resolve = (slo: SloName, names: string[], onBreach: 'fail' | 'warn'): SloModel[] =>
    names.flatMap((name) => {
      const node = byName.get(name);
      if (node) return [asTarget(node)];
      problems.push({ slo, model: name, onBreach, message: `model '${name}' is not a model of ${project.parsed.name}` });
      return [];
    });
  if (slos.completeness) {
    const { models, on_breach, columns } = slos.completeness;
    const onBreach = on_breach ?? slos.on_breach;
    targets.push({ slo: 'completeness', models: resolve('completeness', models ?? portModels, onBreach), columns, named: models !== undefined, onBreach });
  }
  if (slos.freshness) {
    const { model, column, on_breach } = slos.freshness;
    const onBreach = on_breach ?? slos.on_breach;
    targets.push({ slo: 'freshness', models: resolve('freshness', model ? [model] : portModels, onBreach), columns: column ? [column] : undefined, named: model !== undefined, onBreach });
  }
  if (slos.row_count) {
    const { model, on_breach } = slos.row_count;
    const onBreach = on_breach ?? slos.on_breach;
    targets.push({ slo: 'row_count', models: resolve('row_count', model ? [model] : portModels, onBreach), named: model !== undefined, onBreach });
  }
  return { targets, problems };
}
