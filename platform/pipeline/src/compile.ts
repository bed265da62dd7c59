import { compileProject, topoSort, type CompiledProject, type GraphNode, type ProjectOptions } from '@mesh/engine';
import { silent, type Reporter } from './events';
import { projectOptions, type ProjectSelection } from './options';

export interface CompileResult {
  project: CompiledProject;
  /** How long each stage took, in milliseconds, in the order they ran. */
  stages: Array<{ stage: string; ms: number }>;
  elapsedMs: number;
}

export interface CompileOptions extends ProjectSelection {
  /**
   * The target's database when it is there, for nodes that ask it (run_query, introspective macros), as
   * dbt compile does; compile never creates one. Without it, everything compiles offline.
   */
  connect?: ProjectOptions['connect'];
}

/** `mesh compile`: every selected node rendered to SQL in target/compiled, and target/manifest.json. */
export async function compile(options: CompileOptions, report: Reporter = silent): Promise<CompileResult> {
  const t0 = performance.now();
  const stages: CompileResult['stages'] = [];
  const project = await compileProject({ ...projectOptions(options), connect: options.connect, onStage: (stage, ms) => stages.push({ stage, ms }) });
  for (const error of project.warnings) report({ kind: 'warning', error });
  return { project, stages, elapsedMs: performance.now() - t0 };
}

/** `mesh ls`: the selected nodes in build order, of one resource type when asked; writes no compiled files. */
export async function list(options: ProjectSelection & { resourceType?: string }, report: Reporter = silent): Promise<GraphNode[]> {
  const project = await compileProject({ ...projectOptions(options), writeCompiledFiles: false });
  for (const error of project.warnings) report({ kind: 'warning', error });
  return topoSort(project.dag, project.selected)
    .map((id) => project.dag.nodes.get(id)!)
    .filter((n) => !options.resourceType || n.resource_type === options.resourceType);
}
