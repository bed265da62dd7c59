import { isAbsolute, join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { thrownMeshError } from '@mesh/errors';
import { projectFromFiles } from '../test-support';
import { parseProject } from './parse-project';
import type { ModelNode } from '../types';

const parse = (files: Record<string, string>) => parseProject(projectFromFiles(files));

/** A model's refusal: kept with the model (and raised by a command that selects it), or the whole parse's. */
const refusal = (files: Record<string, string>) => thrownMeshError(() => {
  const [first] = parse(files).broken.values();
  if (first) throw first;
});

describe("dbt-duckdb's external materialization configs", () => {
  it('reads location, format, delimiter and options as dbt-duckdb does', () => {
    const parsed = parse({
      'mesh_project.yml': 'name: demo\ntargets:\n  dev: {type: duckdb, external_root: exports}\ntarget: dev\n',
      'models/a.sql': "{{ config(materialized='external') }}select 1 as id",
      'models/b.sql': "{{ config(materialized='external', location='b.csv', delimiter='|') }}select 1 as id",
      'models/c.sql': "{{ config(materialized='external', location='/data/c.csv.gz') }}select 1 as id",
      'models/d.sql': "{{ config(materialized='external', location='lake/d', options={'partition_by': 'year, month', 'compression': 'zstd'}) }}select 1 as id",
      'models/e.sql': "{{ config(materialized='external', format='json', partition_by='id') }}select 1 as id",
    });
    const spec = (name: string) => (parsed.nodes.find((n) => n.name === name) as ModelNode).externalFiles!;
    expect(spec('a')).toEqual({ location: join(process.cwd(), 'exports/a.parquet'), format: 'parquet', partitionBy: [], delimiter: undefined, options: {} });
    expect([spec('b').format, spec('b').delimiter, spec('b').location]).toEqual(['csv', '|', join(process.cwd(), 'b.csv')]);
    expect(spec('c')).toMatchObject({ location: '/data/c.csv.gz', format: 'csv', options: { compression: 'gzip' } });
    expect(spec('d')).toMatchObject({ format: 'parquet', partitionBy: ['year', 'month'], options: { compression: 'zstd' } });
    expect(isAbsolute(spec('d').location)).toBe(true);
    expect(spec('e')).toMatchObject({ format: 'json', partitionBy: [] });
    expect(parsed.warnings.map((w) => `${w.code} ${w.location?.file}:${w.location?.line}`)).toEqual(['W_EXTERNAL_CONFIG models/e.sql:1']);
  });

  it('refuses a format dbt-duckdb does not write, naming the file, line and key', () => {
    const e = refusal({ 'models/x.sql': "{{ config(\n  materialized='external',\n  format='xlsx'\n) }}\nselect 1 as id" });
    expect([e.code, e.location?.file, e.location?.line, e.message]).toEqual(['E_EXTERNAL_CONFIG', 'models/x.sql', 3, "external model x: format 'xlsx' is not one dbt-duckdb writes"]);
    const yaml = refusal({
      'models/x.sql': 'select 1 as id',
      'models/x.yml': "models:\n  - name: x\n    config:\n      materialized: external\n      location: s3://bucket/x.parquet\n",
    });
    expect([yaml.location?.file, yaml.location?.line]).toEqual(['models/x.yml', 5]);
    expect(yaml.message).toContain('is remote');
    expect(refusal({ 'models/x.sql': "{{ config(materialized='external', location='x.txt') }}select 1" }).message).toBe('external model x: location x.txt ends in .txt, not a format dbt-duckdb writes');
    // dbt-duckdb names the default file .parquet and then fails writing Parquet with a delimiter.
    expect(refusal({ 'models/x.sql': "{{ config(materialized='external', delimiter='|') }}select 1" }).message).toBe('external model x: delimiter is set, but the model is written as parquet');
  });
});
