import { MeshError } from '@mesh/errors';
import type { CompiledProject } from '../engine';
import type { Adapter } from './adapter';
import type { RunCommand } from './runner';

/**
 * Refuses a run before anything is built when it holds a node the target's adapter cannot build
 * (a snapshot or an external model on PostgreSQL): half a build is worse than none.
 */
export function refuseUncapable(project: CompiledProject, adapter: Adapter, command: RunCommand): void {
  const { dag, selected, parsed } = project;
  for (const id of selected) {
    const node = dag.nodes.get(id)!;
    let what: string | undefined;
    if (node.resource_type === 'snapshot' && (command === 'snapshot' || command === 'build') && !adapter.capabilities.snapshots) what = `snapshot ${node.name}`;
    if (node.resource_type === 'model' && node.config.materialized === 'external' && !node.external && (command === 'run' || command === 'build') && !adapter.capabilities.externalFiles) {
      what = `external model ${node.name}`;
    }
    if (!what) continue;
    throw new MeshError('E_ADAPTER_UNSUPPORTED', `target '${parsed.target.name}' (${adapter.type}) cannot build ${what}: the ${adapter.type} adapter does not build ${node.resource_type === 'snapshot' ? 'snapshots' : "dbt-duckdb's external files"}`, {
      location: { file: node.original_file_path },
      node: node.unique_id,
      hint: node.resource_type === 'snapshot'
        ? 'Build snapshots on a duckdb target, or leave them out of this run (--exclude resource_type:snapshot).'
        : "Use materialized='table' on this target, or build the model on a duckdb target.",
    });
  }
}
