import { stamp, table } from '../report';
import { causeOf, groupCauses, relationCause } from './causes';
import type { CorpusProject } from './corpus-file';
import type { PreparedProject } from './prepare';
import type { ProjectRun } from './run-project';

const OK = new Set(['success', 'pass', 'warn']);

export interface ProjectSummary {
  project: CorpusProject;
  prepared?: PreparedProject;
  run?: ProjectRun;
  /** Why the project was not measured: listed as excluded, or preparing it failed. */
  notRun?: string;
  dataComplete: boolean;
  dbtBuilt: boolean;
  exitsMatch: boolean;
  unmodified: boolean;
  dbtNodes: number;
  dbtSucceeded: number;
  meshSame: number;
  meshSameOfSucceeded: number;
  dbtRelations: number;
  relationsEqual: number;
}

export function summarise(project: CorpusProject, prepared: PreparedProject | undefined, run: ProjectRun | undefined, notRun?: string): ProjectSummary {
  const base = { project, prepared, run, notRun, dataComplete: prepared ? prepared.missing.length === 0 : false };
  if (!run) {
    return { ...base, dbtBuilt: false, exitsMatch: false, unmodified: false, dbtNodes: 0, dbtSucceeded: 0, meshSame: 0, meshSameOfSucceeded: 0, dbtRelations: 0, relationsEqual: 0 };
  }
  const succeeded = run.nodes.filter((n) => OK.has(n.dbt));
  const exitsMatch = run.steps.dbt.every((s, i) => s.code === run.steps.mesh[i]?.code);
  const dbtRelations = run.relations ? run.relations.compared.length + run.relations.onlyLeft.length : 0;
  const relationsEqual = run.relations ? run.relations.compared.filter((c) => c.equal).length : 0;
  const sameNodes = run.nodes.filter((n) => n.dbt === n.mesh).length;
  return {
    ...base,
    // dbt ran the project (some of its nodes may fail, as they do on DuckDB for warehouse-specific SQL);
    // a project dbt cannot even parse, or that leaves no results, is not one mesh can be judged on.
    dbtBuilt: run.nodes.length > 0,
    exitsMatch,
    unmodified: exitsMatch && sameNodes === run.nodes.length && run.relations?.equal === true && run.meshOnly.every((n) => OK.has(n.status)),
    dbtNodes: run.nodes.length,
    dbtSucceeded: succeeded.length,
    meshSame: sameNodes,
    meshSameOfSucceeded: succeeded.filter((n) => n.mesh === n.dbt).length,
    dbtRelations,
    relationsEqual,
  };
}

const pct = (n: number, d: number) => (d ? `${((100 * n) / d).toFixed(1)}%` : 'n/a');
const cell = (text: string, max = 140) => {
  const t = text.replace(/\s+/g, ' ').replace(/\|/g, '\\|').trim();
  return t.length > max ? `${t.slice(0, max - 1)}…` : t;
};

/** The measured projects: data complete and run by dbt itself. The target is judged on these. */
export function inScope(s: ProjectSummary): boolean {
  return !s.notRun && s.dataComplete && s.dbtBuilt;
}

export function failures(summaries: ProjectSummary[]): Array<{ project: string; node: string; message: string }> {
  const out: Array<{ project: string; node: string; message: string }> = [];
  for (const s of summaries.filter(inScope)) {
    for (const n of s.run!.nodes) if (n.dbt !== n.mesh && OK.has(n.dbt)) out.push({ project: s.project.id, node: n.id, message: n.error ?? `dbt ${n.dbt}, mesh ${n.mesh}` });
  }
  return out;
}

export function corpusMarkdown(summaries: ProjectSummary[], command: string): string {
  const scope = summaries.filter(inScope);
  const projectsOk = scope.filter((s) => s.unmodified).length;
  const succeeded = scope.reduce((n, s) => n + s.dbtSucceeded, 0);
  const same = scope.reduce((n, s) => n + s.meshSameOfSucceeded, 0);
  const rels = scope.reduce((n, s) => n + s.dbtRelations, 0);
  const relsEqual = scope.reduce((n, s) => n + s.relationsEqual, 0);
  const lines = [
    stamp(),
    '',
    `Command: \`${command}\`. dbt-core 1.12 with dbt-duckdb 1.11 (the oracle's venv) and \`mesh build\` (the CLI binary) each build a fresh copy of every project, one project at a time; packages installed offline as \`dbt deps\` would.`,
    '',
    table(['Measure', 'Result', 'Target'], [
      ['projects measured (data complete, run by dbt)', `${scope.length} of ${summaries.length} listed`, ''],
      ['projects that build unmodified (the same exit codes as dbt, the same status for every node, every relation equal row for row)', `${projectsOk} of ${scope.length} (${pct(projectsOk, scope.length)})`, 'all'],
      ['nodes dbt built successfully that mesh built with the same status', `${same} of ${succeeded} (${pct(same, succeeded)})`, '95%'],
      ['relations dbt made that mesh made equal, row for row', `${relsEqual} of ${rels} (${pct(relsEqual, rels)})`, ''],
    ], ['l', 'r', 'r']),
    '',
    table(['Project', 'Repository', 'Warehouse', 'Packages', 'dbt', 'mesh', 'Unmodified', 'Nodes same / dbt ok', 'Relations equal', 'First mesh error'], summaries.map((s) => {
      const where = `${s.project.repo}@${s.project.commit.slice(0, 7)}${s.project.dir === '.' ? '' : ` ${s.project.dir}`}`;
      if (s.notRun) return [`${s.project.id}`, where, cell(s.project.warehouse, 40), '', '', '', 'not measured', '', '', cell(s.notRun)];
      const r = s.run!;
      const exits = (tool: 'dbt' | 'mesh') => r.steps[tool].map((x) => x.code).join(', ');
      const packages = s.prepared!.deps.packages.map((p) => p.name).join(', ') || '-';
      const first = r.meshFirstError ?? r.nodes.find((n) => n.error && OK.has(n.dbt))?.error ?? (r.relations && !r.relations.equal ? `relations differ: ${[...r.relations.differences.map((d) => d.relation), ...r.relations.onlyLeft.map((x) => `${x} (missing)`)].slice(0, 3).join(', ')}` : r.relationError ?? '');
      if (!s.dbtBuilt) {
        const tail = r.steps.dbt.find((x) => x.code !== 0)?.tail ?? '';
        const at = tail.indexOf('Encountered an error:');
        const dbtError = at >= 0 ? tail.slice(at + 21).trim().split('\n').slice(0, 2).join(' ') : tail.trim().split('\n').slice(-2).join(' ');
        return [`${s.project.id} (dbt cannot run it)`, where, cell(s.project.warehouse, 40), cell(s.prepared!.deps.packages.map((p) => p.name).join(', ') || '-', 60), exits('dbt'), exits('mesh'), 'not measured', '', '', cell(`dbt: ${dbtError}`)];
      }
      const note = !s.dataComplete ? ` (data incomplete: ${s.prepared!.missing.join(', ')})` : !s.dbtBuilt ? ' (dbt cannot run it)' : '';
      return [`${s.project.id}${note}`, where, cell(s.project.warehouse, 40), cell(packages, 60), exits('dbt'), exits('mesh'), s.unmodified ? 'yes' : 'no', `${s.meshSameOfSucceeded} / ${s.dbtSucceeded}`, `${s.relationsEqual} / ${s.dbtRelations}`, cell(first)];
    }), ['l', 'l', 'l', 'l', 'r', 'r', 'l', 'r', 'r', 'l']),
  ];
  const groups = groupCauses(failures(summaries));
  if (groups.length) {
    lines.push(
      '',
      'Nodes dbt built that mesh did not build alike, by cause (most nodes first; one example each):',
      '',
      table(['Cause', 'Projects', 'Nodes', 'Example'], groups.map((g) => [
        g.cause,
        `${g.projects.size}: ${[...g.projects].join(', ')}`,
        String(g.nodes),
        cell(`${g.example.project} ${g.example.node}: ${g.example.message}`, 220),
      ]), ['l', 'l', 'r', 'l']),
    );
  }
  const probed = scope.filter((s) => s.run!.blockers?.length);
  if (probed.length) {
    lines.push(
      '',
      'Where mesh stopped before building anything, what stands behind the first error (found by removing each blocker a mechanical edit can remove, in a scratch copy that is not measured):',
      '',
      table(['Project', 'Blockers, in order'], probed.map((s) => [
        s.project.id,
        s.run!.blockers!.map((b) => `${cell(b.error.replace(/ \/ hint:.*$/, ''), 160)}${b.removed ? ` (${b.removed})` : ''}`).join(' → '),
      ])),
    );
    const byCause = new Map<string, { first: Set<string>; behind: Set<string> }>();
    for (const s of probed) {
      s.run!.blockers!.filter((b) => b.error !== 'compiles').forEach((b, i) => {
        const cause = causeOf(b.error);
        const g = byCause.get(cause) ?? { first: new Set<string>(), behind: new Set<string>() };
        (i === 0 ? g.first : g.behind).add(s.project.id);
        byCause.set(cause, g);
      });
    }
    lines.push(
      '',
      'Every blocker of those chains, by cause:',
      '',
      table(['Cause', 'First error in', 'Behind the first error in'], [...byCause]
        .sort(([, a], [, b]) => b.first.size + b.behind.size - (a.first.size + a.behind.size))
        .map(([cause, g]) => [cause, [...g.first].join(', ') || '-', [...g.behind].join(', ') || '-'])),
    );
  }
  const relationGroups = new Map<string, { projects: Set<string>; relations: number; example: string }>();
  for (const s of scope) {
    const r = s.run!.relations;
    if (!r) continue;
    const add = (cause: string, example: string) => {
      const g = relationGroups.get(cause) ?? { projects: new Set<string>(), relations: 0, example: `${s.project.id} ${example}` };
      g.projects.add(s.project.id);
      g.relations += 1;
      relationGroups.set(cause, g);
    };
    for (const id of r.onlyLeft) add(relationCause('missing'), id);
    for (const d of r.differences) add(relationCause(d), `${d.relation}: dbt ${d.leftRows} rows, mesh ${d.rightRows}; ${d.onlyLeft} only in dbt, ${d.onlyRight} only in mesh`);
  }
  if (relationGroups.size) {
    lines.push(
      '',
      'Relations dbt made that differ in mesh\'s database, by cause:',
      '',
      table(['Cause', 'Projects', 'Relations', 'Example'], [...relationGroups].sort(([, a], [, b]) => b.relations - a.relations).map(([cause, g]) => [
        cell(cause, 160),
        `${g.projects.size}: ${[...g.projects].join(', ')}`,
        String(g.relations),
        cell(g.example, 160),
      ]), ['l', 'l', 'r', 'l']),
    );
  }
  return lines.join('\n');
}
