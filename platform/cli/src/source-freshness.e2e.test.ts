import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { checkDbtArtifacts, copyProject, dbt, formatVerdicts, requireOracle } from '@mesh/oracle';
import { mesh } from '@mesh/testing';

/**
 * `mesh source freshness` judged by `dbt source freshness` on the same project and the same data: the
 * same sources checked, the same statuses and exit codes, ages that agree, and a sources.json dbt-core's
 * own artifact class loads.
 */

const SUPPLIERS = fileURLToPath(new URL('../../loom/src/__fixtures__/mixed/suppliers', import.meta.url));

/** offers.csv with every row loaded `hoursAgo` hours before now (UTC, as both tools read a bare timestamp). */
function loadedHoursAgo(dir: string, hoursAgo: number): void {
  const stamp = new Date(Date.now() - hoursAgo * 3600_000).toISOString().slice(0, 19).replace('T', ' ');
  const path = join(dir, 'data', 'offers.csv');
  const [header, ...rows] = readFileSync(path, 'utf8').trim().split('\n');
  writeFileSync(path, [header, ...rows.map((r) => r.replace(/[^,]+$/, stamp))].join('\n') + '\n');
}

interface Side {
  code: number;
  results: Array<{ unique_id: string; status: string; max_loaded_at_time_ago_in_s?: number }>;
}

function sources(dir: string): Side['results'] {
  return JSON.parse(readFileSync(join(dir, 'target', 'sources.json'), 'utf8')).results;
}

function both(hoursAgo: number): { dbt: Side; mesh: Side; meshDir: string; output: string } {
  const dirs = { dbt: copyProject(SUPPLIERS, 'dbt'), mesh: copyProject(SUPPLIERS, 'mesh') };
  for (const dir of Object.values(dirs)) loadedHoursAgo(dir, hoursAgo);
  const d = dbt(dirs.dbt, ['source', 'freshness']);
  const m = mesh(dirs.mesh, 'source', 'freshness');
  return { dbt: { code: d.code, results: sources(dirs.dbt) }, mesh: { code: m.code, results: sources(dirs.mesh) }, meshDir: dirs.mesh, output: `dbt:\n${d.output}\nmesh:\n${m.output}` };
}

describe('mesh source freshness against dbt source freshness', () => {
  // offers: warn_after 12 hours, error_after 2 days; price_list: freshness: null.
  for (const [hours, status, code] of [[1, 'pass', 0], [13, 'warn', 0], [72, 'error', 1]] as const) {
    it(`rows loaded ${hours} hours ago: ${status}, exit ${code}, as dbt says`, () => {
      requireOracle();
      const r = both(hours);
      expect(r.dbt.code, r.output).toBe(code);
      expect(r.mesh.code, r.output).toBe(code);
      const statuses = (s: Side) => s.results.map((x) => [x.unique_id, x.status]);
      expect(statuses(r.mesh), r.output).toEqual([['source.suppliers.purchasing.offers', status]]);
      expect(statuses(r.mesh)).toEqual(statuses(r.dbt));
      const [ours, theirs] = [r.mesh.results[0]!.max_loaded_at_time_ago_in_s!, r.dbt.results[0]!.max_loaded_at_time_ago_in_s!];
      // Measured seconds apart, by two processes: the ages agree to within a minute.
      expect(Math.abs(ours - theirs)).toBeLessThan(60);
      expect(ours).toBeGreaterThan(hours * 3600 - 60);
      const [verdict] = checkDbtArtifacts({ sources: join(r.meshDir, 'target', 'sources.json') });
      expect(verdict!.errors, formatVerdicts([verdict!])).toEqual([]);
      expect(verdict!.loaded, formatVerdicts([verdict!])).toBe(true);
    });
  }

  it('names the stale source, when its newest row was loaded and the threshold it passed', () => {
    const dir = copyProject(SUPPLIERS, 'mesh');
    loadedHoursAgo(dir, 30);
    const r = mesh(dir, 'source', 'freshness');
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/WARN freshness of purchasing\.offers \.+ \[WARN in/);
    expect(r.stdout).toMatch(/WARN source purchasing\.offers: newest row loaded \S+, 1 day ago \(warn_after 12 hours\)/);
  });

  it('a loaded_at_field the source does not have is a runtime error naming the column, and exits 1', () => {
    const dir = copyProject(SUPPLIERS, 'mesh');
    const yml = join(dir, 'models', 'staging', '_sources.yml');
    writeFileSync(yml, readFileSync(yml, 'utf8').replace('loaded_at_field: loaded_at', 'loaded_at_field: arrived_at'));
    const r = mesh(dir, 'source', 'freshness');
    expect(r.code).toBe(1);
    expect(r.stderr).toContain('error[E_FRESHNESS_QUERY] models/staging/_sources.yml: (source.suppliers.purchasing.offers) the freshness query of source purchasing.offers failed');
    expect(r.stderr).toContain('arrived_at');
    expect(sources(dir)).toEqual([expect.objectContaining({ unique_id: 'source.suppliers.purchasing.offers', status: 'runtime error' })]);
  });

  it('checks only the selected sources', () => {
    const dir = copyProject(SUPPLIERS, 'mesh');
    const r = mesh(dir, 'source', 'freshness', '--select', 'source:purchasing.price_list');
    expect(r.code, r.output).toBe(0);
    expect(r.stdout).toContain('Nothing to do');
    expect(sources(dir)).toEqual([]);
  });
});
