import { execFileSync } from 'node:child_process';
import { existsSync, lstatSync, mkdtempSync, readFileSync, readlinkSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { causeOf, groupCauses, relationCause } from './causes';
import { loadCorpus } from './corpus-file';
import { installPackages, repoOfGitUrl } from './deps';
import { extractTree } from './mirror';
import { twinOf } from './run-project';
import { makeMirror, restoreMirrors, writeProject } from './test-mirror';

describe('the committed corpus', () => {
  it('parses, lists at least 16 measurable projects and maps every hub package it installs', () => {
    const corpus = loadCorpus();
    expect(corpus.projects.filter((p) => !p.excluded).length).toBeGreaterThanOrEqual(16);
    for (const repo of Object.values(corpus.hub)) expect(repo).toMatch(/^[\w.-]+\/[\w.-]+$/);
  });
});

describe('installPackages: dbt deps offline', () => {
  const root = mkdtempSync(join(tmpdir(), 'corpus-mirrors-'));
  const hub = { 'acme/acme_utils': 'acme/dbt-acme-utils', 'acme/acme_dates': 'acme/dbt-acme-dates' };
  let saved: string | undefined;

  beforeAll(() => {
    saved = process.env.MESH_CORPUS_MIRRORS;
    process.env.MESH_CORPUS_MIRRORS = root;
    const utils = (version: string, requireDbt: string) => ({
      'dbt_project.yml': `name: acme_utils\nversion: '${version}'\nrequire-dbt-version: ${requireDbt}\n`,
      'macros/x.sql': `{% macro v() %}'${version}'{% endmacro %}`,
      'packages.yml': 'packages:\n  - package: acme/acme_dates\n    version: [">=0.2.0", "<1.0.0"]\n',
    });
    makeMirror(root, 'acme/dbt-acme-utils', [
      { files: utils('1.0.0', '[">=1.0.0", "<2.0.0"]'), tag: '1.0.0' },
      { files: utils('1.1.0', '[">=1.0.0", "<2.0.0"]'), tag: 'v1.1.0' },
      // Released, in range, but for a dbt newer than any installed: dbt deps passes it over.
      { files: utils('1.2.0', '">=9.0.0"'), tag: '1.2.0' },
      { files: utils('2.0.0', '">=1.0.0"'), tag: '2.0.0' },
    ]);
    const dates = (version: string) => ({ 'dbt_project.yml': `name: acme_dates\nversion: '${version}'\n` });
    makeMirror(root, 'acme/dbt-acme-dates', [
      { files: dates('0.1.0'), tag: '0.1.0' },
      { files: dates('0.2.5'), tag: '0.2.5' },
      { files: dates('0.3.0-b1'), tag: '0.3.0-b1' },
      { files: dates('0.3.1'), tag: '0.3.1' },
      { files: dates('1.0.0'), tag: '1.0.0' },
    ]);
  });
  afterAll(() => restoreMirrors(root, saved));

  it('picks the highest release in every range of the tree that admits the installed dbt, and installs transitive packages', () => {
    const dir = writeProject({
      'dbt_project.yml': 'name: app\n',
      'packages.yml': 'packages:\n  - package: acme/acme_utils\n    version: [">=1.0.0", "<2.0.0"]\n  - package: acme/acme_dates\n    version: "<0.3.1"\n',
    });
    const result = installPackages(dir, hub);
    expect(result.from).toBe('resolved');
    expect(readFileSync(join(dir, 'dbt_packages/acme_utils/macros/x.sql'), 'utf8')).toContain("'1.1.0'");
    // The root asks <0.3.1, acme_utils asks >=0.2.0 <1.0.0; the pre-release 0.3.0-b1 is never taken.
    expect(readFileSync(join(dir, 'dbt_packages/acme_dates/dbt_project.yml'), 'utf8')).toContain("'0.2.5'");
    expect(result.packages.map((p) => p.name).sort()).toEqual(['acme_dates', 'acme_utils']);
  });

  it('links a local package under the name of its dbt_project.yml, and says which hub package is unmapped', () => {
    const dir = writeProject({
      'dbt_project.yml': 'name: local_pkg\n',
      'macros/m.sql': '{% macro m() %}1{% endmacro %}',
      'integration_tests/dbt_project.yml': 'name: local_pkg_integration_tests\n',
      'integration_tests/packages.yml': 'packages:\n  - local: ../\n',
    });
    const result = installPackages(join(dir, 'integration_tests'), hub);
    const link = join(dir, 'integration_tests/dbt_packages/local_pkg');
    expect(lstatSync(link).isSymbolicLink()).toBe(true);
    expect(readlinkSync(link)).toBe('../..');
    expect(existsSync(join(link, 'macros/m.sql'))).toBe(true);
    expect(result.packages[0]!.name).toBe('local_pkg');
    const other = writeProject({ 'dbt_project.yml': 'name: app\n', 'packages.yml': 'packages:\n  - package: nobody/nothing\n    version: 1.0.0\n' });
    expect(() => installPackages(other, hub)).toThrow(/nobody\/nothing is not in the corpus file's hub/);
  });

  it('names the repository to fetch when a mirror is missing, and reads GitHub URLs', () => {
    const dir = writeProject({ 'dbt_project.yml': 'name: app\n', 'packages.yml': 'packages:\n  - git: https://github.com/acme/absent.git\n    revision: main\n' });
    expect(() => installPackages(dir, hub)).toThrow(/fetch github:acme\/absent/);
    expect(repoOfGitUrl('https://github.com/dbt-labs/dbt-audit-helper.git')).toBe('dbt-labs/dbt-audit-helper');
  });

  it('extracts a tree without touching the mirror and reports the blobs it lacks', () => {
    const bare = join(root, 'acme+dbt-acme-dates', 'repo');
    const dest = mkdtempSync(join(tmpdir(), 'corpus-tree-'));
    const head = execFileSync('git', ['--git-dir', bare, 'rev-parse', 'HEAD']).toString().trim();
    expect(extractTree(bare, head, dest)).toEqual({ files: 1, missing: [] });
    expect(readFileSync(join(dest, 'dbt_project.yml'), 'utf8')).toContain("'1.0.0'");
  });
});

describe('grouping failures', () => {
  it('matches a test mesh ran under another unique_id', () => {
    const mesh = ['test.shop.unique_orders_order_id', 'test.shop.accepted_values_orders_status__0066b38fc1', 'model.shop.orders'];
    expect(twinOf('test.shop.unique_orders_order_id.fed79b3a6e', mesh)).toBe('test.shop.unique_orders_order_id');
    expect(twinOf('test.shop.accepted_values_orders_status__placed__shipped.be6b5b5ec3', mesh)).toBe('test.shop.accepted_values_orders_status__0066b38fc1');
    expect(twinOf('model.shop.customers', mesh)).toBeUndefined();
  });

  it('names causes and groups them most nodes first', () => {
    expect(causeOf('error[E_DBT_UNSUPPORTED] models/a.sql:3: adapter.dispatch(...) is not supported')).toBe('adapter.dispatch refused');
    expect(causeOf('Binder Error: Referenced column "x" not found')).toBe('SQL error in DuckDB');
    expect(causeOf("error[E_YAML_SCHEMA] dbt_project.yml:2: project file: (top level): unknown key 'dispatch' / hint: ...")).toBe("dbt_project.yml key refused: 'dispatch'");
    expect(causeOf("error[E_YAML_SCHEMA] models/u.yml:7: properties file: models[0].columns[0]: unknown key 'granularity'")).toBe("properties file key refused: 'granularity'");
    const groups = groupCauses([
      { project: 'a', node: 'n1', message: 'Binder Error: x' },
      { project: 'b', node: 'n2', message: 'adapter.dispatch' },
      { project: 'c', node: 'n3', message: 'adapter.dispatch' },
    ]);
    expect(groups.map((g) => [g.cause, g.nodes, g.projects.size])).toEqual([['adapter.dispatch refused', 2, 2], ['SQL error in DuckDB', 1, 1]]);
    expect(relationCause({ columns: { left: ['id INTEGER', 'v VARCHAR'], right: ['id BIGINT', 'v VARCHAR'] }, onlyLeft: 0, onlyRight: 0 })).toBe('column types differ (dbt -> mesh: INTEGER -> BIGINT)');
    expect(relationCause('missing')).toBe("relation missing from mesh's database");
  });
});
