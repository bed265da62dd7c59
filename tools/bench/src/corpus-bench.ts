import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { loadCorpus } from './corpus/corpus-file';
import { MissingMirror } from './corpus/mirror';
import { DEFAULT_CACHE, prepareCorpus, type PreparedProject } from './corpus/prepare';
import { corpusMarkdown, summarise, type ProjectSummary } from './corpus/report';
import { runProject } from './corpus/run-project';
import { BENCHMARKS_MD } from './paths';
import { updateBenchmarksFile } from './report';

/**
 * Real public dbt projects built by dbt and by mesh, side by side, one project at a time (the corpus is
 * in tools/bench/dbt-corpus.yml). Writes its section of BENCHMARKS.md and a JSON file of every node's
 * outcome into the cache folder.
 *
 *   pnpm bench --only dbt-corpus [--project ID ...] [--cache DIR] [--keep] [--dry-run]
 */

export const CORPUS_USAGE = `  --project ID       (dbt-corpus) measure only this project of tools/bench/dbt-corpus.yml; repeatable
  --cache DIR        (dbt-corpus) checkouts, generated data and results (${DEFAULT_CACHE})
  --step-timeout M   (dbt-corpus) minutes one dbt or mesh command may take (30)`;

export interface CorpusBenchOptions {
  projects?: string[];
  cache?: string;
  stepTimeoutMin?: number;
  keep?: boolean;
  dryRun?: boolean;
  log: (line: string) => void;
}

export async function runCorpusBench(options: CorpusBenchOptions): Promise<string> {
  const corpus = loadCorpus();
  const cache = options.cache ?? DEFAULT_CACHE;
  const unknown = (options.projects ?? []).filter((id) => !corpus.projects.some((p) => p.id === id));
  if (unknown.length) throw new Error(`no project ${unknown.join(', ')} in the corpus; it has ${corpus.projects.map((p) => p.id).join(', ')}`);
  const chosen = options.projects?.length ? corpus.projects.filter((p) => options.projects!.includes(p.id)) : corpus.projects;
  const summaries: ProjectSummary[] = [];
  for (const project of chosen) {
    if (project.excluded) {
      summaries.push(summarise(project, undefined, undefined, `excluded: ${project.excluded}`));
      continue;
    }
    let prepared: PreparedProject[];
    try {
      prepared = prepareCorpus(corpus, [project], { cache, log: options.log });
    } catch (e) {
      const reason = e instanceof MissingMirror ? e.message : `preparing failed: ${(e as Error).message}`;
      options.log(`${project.id}: ${reason}`);
      summaries.push(summarise(project, undefined, undefined, reason));
      continue;
    }
    const self = prepared.find((p) => p.project.id === project.id)!;
    const upstream = project.upstream ? prepared.find((p) => p.project.id === project.upstream) : undefined;
    options.log(`${project.id}: building with dbt and with mesh`);
    const run = await runProject(self, upstream, { timeoutMs: (options.stepTimeoutMin ?? 30) * 60_000, keep: options.keep, log: options.log });
    const summary = summarise(project, self, run);
    options.log(`${project.id}: ${summary.unmodified ? 'builds unmodified' : 'differs'}; nodes ${summary.meshSameOfSucceeded}/${summary.dbtSucceeded}, relations ${summary.relationsEqual}/${summary.dbtRelations}`);
    summaries.push(summary);
  }
  const command = `pnpm bench --only dbt-corpus${(options.projects ?? []).map((p) => ` --project ${p}`).join('')}`;
  const body = corpusMarkdown(summaries, command);
  const resultsDir = join(cache, 'results');
  mkdirSync(resultsDir, { recursive: true });
  const resultsFile = join(resultsDir, `${new Date().toISOString().replace(/[:.]/g, '-')}.json`);
  writeFileSync(resultsFile, JSON.stringify(summaries.map((s) => ({
    id: s.project.id,
    notRun: s.notRun,
    missing: s.prepared?.missing,
    packages: s.prepared?.deps,
    steps: s.run?.steps,
    nodes: s.run?.nodes,
    meshOnly: s.run?.meshOnly,
    relations: s.run?.relations,
    relationError: s.run?.relationError,
  })), null, 2));
  options.log(`every node's outcome: ${resultsFile}`);
  if (!options.dryRun && !options.projects?.length) updateBenchmarksFile(BENCHMARKS_MD, 'dbt-corpus', body);
  return body;
}
