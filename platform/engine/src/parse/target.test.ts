import { describe, expect, it } from 'vitest';
import { MeshError } from '@mesh/errors';
import { resolveTarget } from './target';

describe('resolveTarget', () => {
  it('defaults to dev: a DuckDB file named after the project under target/', () => {
    const t = resolveTarget({ name: 'sales' }, '/p');
    expect(t).toMatchObject({ name: 'dev', type: 'duckdb', path: '/p/target/sales.duckdb', database: 'sales', threads: 4 });
  });

  it('uses a named target with its own path, threads and settings', () => {
    const t = resolveTarget({ name: 's', targets: { ci: { type: 'duckdb', path: 'out/ci.duckdb', threads: 8, settings: { memory_limit: '1GB' } } } }, '/p', 'ci');
    expect(t).toMatchObject({ name: 'ci', path: '/p/out/ci.duckdb', database: 'ci', threads: 8, options: { settings: { memory_limit: '1GB' } } });
  });

  it('a postgres target folds the project into schema names and loads external sources', () => {
    const t = resolveTarget({ name: 'sales', targets: { pg: { type: 'postgres', host: 'db', port: 5432, database: 'mesh', password_env: 'PG_PW' } } }, '/p', 'pg');
    expect(t).toMatchObject({ type: 'postgres', database: 'sales', relations: 'schema-prefixed', externalSources: 'load', options: { host: 'db', database: 'mesh', password_env: 'PG_PW' } });
  });

  it('refuses a target that is not defined, listing the ones that are', () => {
    expect(() => resolveTarget({ name: 's' }, '/p', 'prod')).toThrowError(MeshError);
    try {
      resolveTarget({ name: 's', targets: { ci: { type: 'duckdb' } } }, '/p', 'prod');
    } catch (e) {
      expect((e as MeshError).hint).toBe('Define it under targets: in the project file, or use one of: dev, ci.');
    }
  });
});
