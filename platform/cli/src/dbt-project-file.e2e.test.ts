import { existsSync, mkdirSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { DuckDBAdapter } from '@mesh/adapter-duckdb';
import { runProject } from '@mesh/engine';
import { copyProject, dbt, requireOracle } from '@mesh/oracle';
import { mesh, meshWithEnv, queryDb } from '@mesh/testing';

/**
 * A dbt project's own files as dbt reads them: dbt_project.yml (its keys, flags, quoting, query
 * comment), profiles.yml, seeds parsed as dbt-duckdb parses them, and the errors a project gets where
 * dbt refuses it or where the engine cannot follow, each with the file and line. Where dbt decides,
 * dbt is run on the same files and the engine must agree.
 */

const DIFFERENTIAL = fileURLToPath(new URL('./__fixtures__/dbt-differential', import.meta.url));
/** Tests that run dbt itself: a dbt process takes seconds to start, more on a loaded machine. */
const WITH_DBT = 300_000;

/** A dbt project in a temp folder from a map of files; `dbt_project.yml` gets a name unless given. */
function project(files: Record<string, string>, name = 'shop'): string {
  const dir = mkdtempSync(join(tmpdir(), `mesh-dbt-file-${name}-`));
  const all = { 'dbt_project.yml': `name: ${name}\nprofile: ${name}\nconfig-version: 2\n`, ...files };
  for (const [path, text] of Object.entries(all)) {
    mkdirSync(dirname(join(dir, path)), { recursive: true });
    writeFileSync(join(dir, path), text);
  }
  return dir;
}

const MODELS = {
  'seeds/raw_orders.csv': 'id,amount\n1,10\n2,20\n',
  'models/orders.sql': "select id, amount from {{ ref('raw_orders') }}\n",
};

describe('dbt_project.yml', () => {
  it('keys dbt knows parse; a key neither dbt nor the engine knows warns at its line, with the key it resembles', () => {
    const dir = project({
      'dbt_project.yml': [
        'name: shop', 'profile: shop', 'config-version: 2',
        'dbt-cloud: {project-id: 1}', 'restrict-access: true', 'log-path: logs', 'packages-install-path: dbt_packages',
        'clean-targets: [target]', 'require-dbt-version: ">=1.8.0"', 'on-run-start: []',
        'dispatch:', '  - macro_namespace: shop', '    search_order: [shop]',
        'model-path: [models]',
        '',
      ].join('\n'),
      ...MODELS,
    });
    const r = mesh(dir, 'build');
    expect(r.code, r.output).toBe(0);
    expect(r.stderr).toContain("warning[W_PROJECT_KEY_UNKNOWN] dbt_project.yml:14: model-path is not a dbt_project.yml key the engine knows; it is ignored");
    expect(r.stderr).toContain("hint: Did you mean 'model-paths'?");
  });

  it('an unknown key in mesh_project.yml is an error at the key\'s own line', () => {
    const dir = project({ 'mesh_project.yml': 'name: sales\ndescription: Sales\nmodels:\n  sales:\n    +materialized: view\nupstream:\n  - name: inventory\n', 'models/a.sql': 'select 1 as id\n' });
    const r = mesh(dir, 'compile');
    expect(r.code).toBe(2);
    expect(r.stderr).toContain("error[E_YAML_SCHEMA] mesh_project.yml:6: project file: (top level): unknown key 'upstream'");
    expect(r.stderr).toContain("Did you mean 'upstreams'?");
  });

  it('+materialized: tabel is named at the project file line that sets it, with the materialization it resembles', () => {
    const dir = project({
      'dbt_project.yml': 'name: shop\nprofile: shop\nconfig-version: 2\nmodels:\n  shop:\n    marts:\n      +materialized: tabel\n',
      'models/marts/orders.sql': 'select 1 as id\n',
    });
    const r = mesh(dir, 'compile');
    expect(r.code).toBe(2);
    expect(r.stderr).toContain("error[E_CONFIG_INVALID] dbt_project.yml:7: materialized='tabel' is not a materialization (set for models/marts/orders.sql)");
    expect(r.stderr).toContain("hint: Did you mean 'table'?");
  });

  it('configs keyed by a node\'s name apply to that node alone: column_types of one seed, the alias of one model', async () => {
    const dir = project({
      'dbt_project.yml': [
        'name: shop', 'profile: shop', 'config-version: 2',
        'seeds:', '  shop:', '    raw_orders:', '      +column_types: {amount: "decimal(8, 2)"}',
        'models:', '  shop:', '    +materialized: table', '    orders:', '      +alias: all_orders', '',
      ].join('\n'),
      ...MODELS,
      'seeds/raw_refunds.csv': 'id,amount\n1,5\n',
    });
    const r = mesh(dir, 'build');
    expect(r.code, r.output).toBe(0);
    const types = await queryDb(join(dir, 'target', 'shop.duckdb'), "select table_name, data_type from information_schema.columns where column_name = 'amount' order by 1");
    expect(types).toEqual([{ table_name: 'all_orders', data_type: 'DECIMAL(8,2)' }, { table_name: 'raw_orders', data_type: 'DECIMAL(8,2)' }, { table_name: 'raw_refunds', data_type: 'INTEGER' }]);
  });

  it('quoting and query-comment: the compiled SQL is dbt\'s, and the comment is on every statement a node runs', async () => {
    requireOracle();
    const fixture = join(DIFFERENTIAL, 'project_keys');
    const dbtDir = copyProject(fixture, 'dbt');
    const meshDir = copyProject(fixture, 'mesh');
    expect(dbt(dbtDir, ['build']).code).toBe(0);
    const model = 'project_keys/models/marts/customer_totals.sql';
    const adapters: DuckDBAdapter[] = [];
    const outcome = await runProject({
      projectDir: meshDir,
      command: 'build',
      openAdapter: async (target) => {
        const adapter = await DuckDBAdapter.open({ path: target.path, logStatements: true });
        adapters.push(adapter);
        return adapter;
      },
    });
    expect(outcome.results.every((r) => r.status === 'success' || r.status === 'pass')).toBe(true);
    // identifier: false leaves the identifier unquoted, as dbt-duckdb prints it.
    const compiled = (dir: string) => readFileSync(join(dir, 'target', 'compiled', model), 'utf8').trimEnd();
    expect(compiled(meshDir)).toBe(compiled(dbtDir));
    expect(compiled(meshDir)).toContain('"project_keys"."main_marts".order_facts');
    const comment = '/* project_keys model.project_keys.customer_totals */';
    expect(readFileSync(join(dbtDir, 'logs', 'dbt.log'), 'utf8')).toContain(comment);
    // Building the model's table: each statement, in each round trip, ends with the model's comment.
    const building = adapters[0]!.statementLog!.filter((sql) => /CREATE TABLE .*customer_revenue/.test(sql));
    expect(building.length).toBeGreaterThan(0);
    for (const batch of building) {
      for (const statement of batch.split(';\n')) expect(statement.trimEnd().endsWith(comment), statement).toBe(true);
    }
    // and every statement a node runs carries the node's comment (schemas are made before any node runs).
    expect(adapters[0]!.statementLog!.filter((sql) => !sql.includes('/* project_keys ') && !sql.startsWith('CREATE SCHEMA'))).toEqual([]);
  }, WITH_DBT);

  it('flags: fail_fast stops at the first failure and skips the rest; --warn-error makes a warning test fail', () => {
    const files = {
      ...MODELS,
      'models/later.sql': "select * from {{ ref('orders') }}\n",
      'models/other.sql': 'select 1 as id\n',
      'models/p.yml': 'models:\n  - name: orders\n    columns:\n      - name: amount\n        data_tests:\n          - accepted_values:\n              arguments: {values: [10]}\n',
    };
    // a_broken runs first (one thread, in name order) and fails; b_fine does not depend on it.
    const stops = { 'models/a_broken.sql': 'select * from no_such_table\n', 'models/b_fine.sql': 'select 1 as id\n' };
    const resultOf = (dir: string, id: string) => (JSON.parse(readFileSync(join(dir, 'target', 'run_results.json'), 'utf8')) as { results: Array<{ unique_id: string; status: string; message: string }> }).results.find((x) => x.unique_id === id);
    const statusOf = (dir: string, id: string) => resultOf(dir, id)?.status;
    const goesOn = project(stops);
    expect(mesh(goesOn, 'run', '--threads', '1').code).toBe(1);
    expect(statusOf(goesOn, 'model.shop.b_fine')).toBe('success');
    const failFast = project({ ...stops, 'dbt_project.yml': 'name: shop\nprofile: shop\nconfig-version: 2\nflags:\n  fail_fast: true\n' });
    const r = mesh(failFast, 'run', '--threads', '1');
    expect(r.code).toBe(1);
    expect(resultOf(failFast, 'model.shop.b_fine')).toMatchObject({ status: 'skipped', message: 'Skipping due to fail_fast' });

    const warn = project({ ...files, 'models/p.yml': files['models/p.yml'].replace('arguments: {values: [10]}', 'arguments: {values: [10]}\n              config: {severity: warn}') });
    expect(mesh(warn, 'build').code).toBe(0);
    const strict = mesh(warn, 'build', '--warn-error');
    expect(strict.code).toBe(1);
    expect(strict.output).toContain('accepted_values_orders_amount__10');
  });

  it('a properties entry for a model that does not exist warns, as dbt does, and the build goes on', () => {
    const dir = project({ ...MODELS, 'models/p.yml': 'models:\n  - name: orders\n  - name: ghost\n' });
    const r = mesh(dir, 'build');
    expect(r.code, r.output).toBe(0);
    expect(r.stderr).toContain("warning[W_PROPERTIES_ORPHAN] models/p.yml:3: models/p.yml describes model 'ghost', but there is no ghost.sql; the entry is ignored");
  });
});

describe('models dbt would not build', () => {
  it('an empty model file is no model, as in dbt; a comment-only one warns at compile and fails its build naming the file, as dbt fails it', () => {
    requireOracle();
    const dir = project({ ...MODELS, 'models/empty.sql': '\n', 'models/notes.sql': '-- to do\n{# later #}\n' });
    const compile = mesh(dir, 'compile');
    expect(compile.code).toBe(0);
    expect(compile.stderr).toContain('warning[W_MODEL_EMPTY] models/empty.sql:1: models/empty.sql is empty; it is not a model (dbt skips it too)');
    expect(compile.stderr).toContain('warning[W_MODEL_EMPTY] models/notes.sql:1: (model.shop.notes) model notes has no SQL: models/notes.sql holds only comments');
    const r = mesh(dir, 'build');
    expect(r.code).toBe(1);
    expect(r.output).toContain('model notes has no SQL to build: models/notes.sql holds only comments');
    const mine = JSON.parse(readFileSync(join(dir, 'target', 'run_results.json'), 'utf8')) as { results: Array<{ unique_id: string; status: string }> };
    const theirsDir = copyProject(dir, 'dbt');
    expect(dbt(theirsDir, ['build']).code).toBe(1);
    const theirs = JSON.parse(readFileSync(join(theirsDir, 'target', 'run_results.json'), 'utf8')) as typeof mine;
    const statuses = (x: typeof mine) => Object.fromEntries(x.results.map((e) => [e.unique_id, e.status]));
    expect(statuses(mine)).toEqual(statuses(theirs));
    expect(statuses(mine)['model.shop.notes']).toBe('error');
  }, WITH_DBT);

  it('compiling lists every model that fails, not only the first', () => {
    const dir = project({ ...MODELS, 'models/a.sql': "select {{ var('missing') }}\n", 'models/b.sql': "select * from {{ ref('nope') }}\n", 'models/c.sql': "select {{ var('also_missing') }}\n" });
    const r = mesh(dir, 'compile');
    expect(r.code).toBe(2);
    expect(r.stderr).toContain("error[E_VAR_MISSING] models/a.sql:1: required var 'missing' is not set");
    expect(r.stderr).toContain("error[E_VAR_MISSING] models/c.sql:1: required var 'also_missing' is not set");
    expect(r.stderr).toContain("error[E_REF_UNKNOWN] models/b.sql:1: (model.shop.b) ref('nope') refers to a model that does not exist");
    expect(r.stderr).toContain('3 errors');
  });

  it('a model that cannot be built stops only the commands that select it: --exclude leaves it out', () => {
    const dir = project({ ...MODELS, 'models/broken.sql': "select {{ var('not_set') }} as x\n", 'models/score.py': 'def model(dbt, session):\n    return dbt.ref("orders").df()\n' });
    const all = mesh(dir, 'build');
    expect(all.code).toBe(2);
    expect(all.stderr).toContain("error[E_VAR_MISSING] models/broken.sql:1: required var 'not_set' is not set");
    expect(all.stderr).toContain('error[E_DBT_UNSUPPORTED] models/score.py:1: python models are not supported');
    const rest = mesh(dir, 'build', '--exclude', 'broken', '--exclude', 'score');
    expect(rest.code, rest.output).toBe(0);
    expect(rest.stdout).toMatch(/OK view model main\.orders/);
    const one = mesh(dir, 'build', '-s', 'orders');
    expect(one.code, one.output).toBe(0);
  });

  it('a disabled python model is left out as dbt leaves it out; an enabled one is refused with its file', () => {
    const disabled = project({
      ...MODELS,
      'dbt_project.yml': 'name: shop\nprofile: shop\nconfig-version: 2\nmodels:\n  shop:\n    scoring:\n      by_config:\n        +enabled: false\n',
      'models/scoring/by_call.py': 'def model(dbt, session):\n    dbt.config(materialized="table", enabled=False)\n    return dbt.ref("orders").df()\n',
      'models/scoring/by_config.py': 'def model(dbt, session):\n    return dbt.ref("orders").df()\n',
      'models/scoring/p.yml': 'models:\n  - name: by_call\n    description: off until the service is back\n',
    });
    const r = mesh(disabled, 'build');
    expect(r.code, r.output).toBe(0);
    expect(r.stderr).not.toContain('W_PROPERTIES_ORPHAN');
    const enabled = project({ ...MODELS, 'models/score.py': 'def model(dbt, session):\n    return dbt.ref("orders").df()\n' });
    const refused = mesh(enabled, 'compile');
    expect(refused.code).toBe(2);
    expect(refused.stderr).toContain('error[E_DBT_UNSUPPORTED] models/score.py:1: python models are not supported: models/score.py');
  });
});

describe('seeds as dbt-duckdb loads them', () => {
  it('a ragged row fails the seed naming the file and line, where dbt-duckdb fails it too; nothing half-loaded is left', async () => {
    requireOracle();
    const dir = project({ 'seeds/codes.csv': 'code,label,weight\nA,alpha,1\nC,gamma\n', 'models/m.sql': "select * from {{ ref('codes') }}\n" });
    const r = mesh(dir, 'build');
    expect(r.code).toBe(1);
    expect(r.output).toContain('seed seeds/codes.csv does not load: line 3 has a row with 2 fields where the header has 3');
    expect(r.output).toContain('line 3: C,gamma');
    const tables = await queryDb(join(dir, 'target', 'shop.duckdb'), "select table_name from information_schema.tables where table_name = 'codes'");
    expect(tables).toEqual([]);
    const theirs = copyProject(dir, 'dbt');
    const d = dbt(theirs, ['seed']);
    expect(d.code).toBe(1);
    expect(d.stdout).toContain('ERROR loading seed file main.codes');
  }, WITH_DBT);

  it('an empty seed file is an error with its name; a header alone loads an empty table typed as dbt types it', async () => {
    const empty = project({ 'seeds/nothing.csv': '' });
    const r = mesh(empty, 'seed');
    expect(r.code).toBe(1);
    expect(r.output).toContain('seed seeds/nothing.csv is empty: a seed needs a header row naming its columns');
    const header = project({ 'seeds/lookup.csv': 'code,weight\n' });
    expect(mesh(header, 'seed').code).toBe(0);
    expect(await queryDb(join(header, 'target', 'shop.duckdb'), "select column_name, data_type from information_schema.columns where table_name = 'lookup' order by ordinal_position")).toEqual([
      { column_name: 'code', data_type: 'INTEGER' },
      { column_name: 'weight', data_type: 'INTEGER' },
    ]);
  });
});

describe('profiles.yml', () => {
  const PROFILE = (path: string, extra = '') => `shop:\n  target: dev\n  outputs:\n    dev:\n      type: duckdb\n      path: ${path}\n      schema: analytics\n      threads: 2\n${extra}`;
  const FILES = { ...MODELS, 'dbt_project.yml': 'name: shop\nprofile: shop\nconfig-version: 2\nmodels:\n  shop:\n    marts:\n      +schema: marts\n', 'models/marts/totals.sql': "select sum(amount) as total from {{ ref('orders') }}\n" };

  it('the project folder\'s profile sets the database file, the schema and the threads, as for dbt', async () => {
    const dir = project({ ...FILES, 'profiles.yml': PROFILE('out/dev.duckdb') });
    const r = mesh(dir, 'build');
    expect(r.code, r.output).toBe(0);
    expect(r.stdout).toContain('target dev (out/dev.duckdb)');
    expect(existsSync(join(dir, 'target', 'shop.duckdb'))).toBe(false);
    const relations = await queryDb(join(dir, 'out', 'dev.duckdb'), 'select table_schema, table_name from information_schema.tables order by 1, 2');
    expect(relations).toEqual([
      { table_schema: 'analytics', table_name: 'orders' },
      { table_schema: 'analytics', table_name: 'raw_orders' },
      { table_schema: 'analytics_marts', table_name: 'totals' },
    ]);
  });

  it('--profiles-dir and DBT_PROFILES_DIR are read first; --target picks another output', () => {
    const dir = project({ ...FILES, 'profiles.yml': PROFILE('out/project.duckdb') });
    const elsewhere = mkdtempSync(join(tmpdir(), 'mesh-profiles-'));
    writeFileSync(join(elsewhere, 'profiles.yml'), PROFILE('out/flag.duckdb', '    ci:\n      type: duckdb\n      path: out/ci.duckdb\n'));
    expect(mesh(dir, 'seed', '--profiles-dir', elsewhere).stdout).toContain('(out/flag.duckdb)');
    expect(meshWithEnv(dir, { DBT_PROFILES_DIR: elsewhere }, 'seed', '--target', 'ci').stdout).toContain('target ci (out/ci.duckdb)');
  });

  it('a bad output is named with its file and line; an output of another warehouse is refused', () => {
    const bad = project({ ...FILES, 'profiles.yml': PROFILE('out/dev.duckdb').replace('threads: 2', 'threads: many') });
    const r = mesh(bad, 'compile');
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/error\[E_YAML_SCHEMA\] .*profiles\.yml:8: output 'dev' of profile 'shop': threads/);
    const snowflake = project({ ...FILES, 'profiles.yml': 'shop:\n  target: prod\n  outputs:\n    prod:\n      type: snowflake\n      account: x\n' });
    const s = mesh(snowflake, 'compile');
    expect(s.code).toBe(2);
    expect(s.stderr).toMatch(/error\[E_PROFILE_TYPE\] .*profiles\.yml:5: output 'prod' of profile 'shop' is of type snowflake; only dbt-duckdb outputs/);
  });
});

describe('sources read from files', () => {
  it('a relative external_location is read from the folder the build runs in, as dbt-duckdb reads it; a missing one names the source', () => {
    const dir = project({
      'data/orders.csv': 'id\n1\n',
      'models/s.yml': 'sources:\n  - name: files\n    tables:\n      - name: orders\n        config: {external_location: "data/orders.csv"}\n',
      'models/m.sql': "select * from {{ source('files', 'orders') }}\n",
    });
    expect(mesh(dir, 'build').code).toBe(0);
    // From the folder above, data/orders.csv is not there: the build says which source reads it, and where that is set.
    const r = mesh(dirname(dir), 'build', '--project-dir', dir);
    expect(r.code).toBe(1);
    expect(r.output).toContain("hint: source('files', 'orders') reads");
    expect(r.output).toContain('Fix its external_location in models/s.yml');
  });
});
