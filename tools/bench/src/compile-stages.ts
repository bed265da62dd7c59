import { compileProject } from '@mesh/engine';

export interface Stage {
  name: string;
  ms: number;
  /** What the stage did, for the reader of the table (file counts, bytes). */
  note?: string;
}

const NOTES: Record<string, string> = {
  load: 'read files; YAML parse (partial-parse cache) + zod',
  parse: 'Jinja render, configs, test nodes',
  resolve: 'refs and sources to graph edges',
  graph: 'DAG + cycle check',
  compile: 'placeholders to relations, ephemerals, test SQL',
  'write compiled files': 'only files whose content changed',
  'build manifest': '',
  'write manifest': 'JSON.stringify + write',
};

/** One more compile, timed stage by stage through the engine's own `onStage` hook. */
export async function compileStages(projectDir: string): Promise<Stage[]> {
  const stages: Stage[] = [];
  await compileProject({ projectDir, onStage: (name, ms) => stages.push({ name, ms, note: NOTES[name] }) });
  return stages;
}
