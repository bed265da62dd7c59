import { randomUUID } from 'node:crypto';
import { mkdirSync, renameSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import {
  buildDag,
  buildManifest,
  Compiler,
  loadProject,
  parseProject,
  resolveRefs,
  selectNodes,
  topoSort,
  unmatchedSelectors,
  type CompiledNode,
} from '@mesh/engine';

export interface Stage {
  name: string;
  ms: number;
  /** What the stage did, for the reader of the table (file counts, bytes). */
  note?: string;
}

/**
 * compileProject, step by step with a timer around each step, built from the engine's exported functions.
 * It mirrors engine.ts's compileProject (which has no hooks to time it from outside); if that function
 * changes, change this one too, or the breakdown stops adding up to the in-process figure.
 */
export function compileStages(projectDir: string): Stage[] {
  const stages: Stage[] = [];
  const time = <T>(name: string, fn: () => T, note?: (value: T) => string): T => {
    const t0 = performance.now();
    const value = fn();
    stages.push({ name, ms: performance.now() - t0, note: note?.(value) });
    return value;
  };

  const files = time('loadProject (read + YAML parse + zod validate)', () => loadProject(projectDir), (f) =>
    `${f.models.length} SQL, ${f.properties.length} YAML, ${f.macros.length} macro files`);
  const parsed = time('parseProject (Jinja render, configs, test nodes)', () => parseProject(files), (p) => `${p.nodes.length} nodes`);
  const resolution = time('resolveRefs', () => resolveRefs(parsed), (r) => `${[...r.refTargets.values()].reduce((n, t) => n + t.length, 0)} refs`);
  const dag = time('buildDag (+ cycle check)', () => buildDag(resolution.nodes));
  const selected = time('selectNodes + unmatchedSelectors', () => {
    const selection = { select: undefined, exclude: undefined };
    const s = selectNodes(dag, selection);
    unmatchedSelectors(dag, selection);
    return s;
  });
  const order = time('topoSort', () => topoSort(dag, selected));
  const compiled = time('compile nodes (substitute refs, ephemerals, test SQL)', () => {
    const compiler = new Compiler(parsed, dag, resolution);
    const out = new Map<string, CompiledNode>();
    for (const id of order) {
      const node = dag.nodes.get(id)!;
      if (node.resource_type === 'source' || ('external' in node && node.external)) continue;
      out.set(id, compiler.compileNode(node));
    }
    return out;
  }, (c) => `${c.size} nodes`);
  const targetDir = join(parsed.root, parsed.files.project['target-path'] ?? 'target');
  time('write target/compiled/** (mkdir + write per file)', () => {
    let n = 0;
    for (const [id, c] of compiled) {
      const node = dag.nodes.get(id)!;
      if (!c.sql) continue;
      const path = node.resource_type === 'test' && node.test_metadata
        ? join(targetDir, 'compiled', parsed.name, node.original_file_path, `${node.name}.sql`)
        : join(targetDir, 'compiled', parsed.name, node.original_file_path);
      mkdirSync(dirname(path), { recursive: true });
      writeFileSync(path, `${c.sql}\n`);
      n++;
    }
    return n;
  }, (n) => `${n} files`);
  const manifest = time('buildManifest', () => buildManifest(parsed, dag, compiled, randomUUID()));
  const json = time('JSON.stringify(manifest, null, 1)', () => JSON.stringify(manifest, null, 1), (s) => `${(s.length / 1e6).toFixed(1)} MB`);
  time('write manifest.json', () => {
    const path = join(targetDir, 'manifest.json');
    mkdirSync(dirname(path), { recursive: true });
    writeFileSync(`${path}.tmp`, json);
    renameSync(`${path}.tmp`, path);
  });
  return stages;
}
