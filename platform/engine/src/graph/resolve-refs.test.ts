import { describe, expect, it } from 'vitest';
import { MeshError } from '@mesh/errors';
import { projectFromFiles } from '../test-support';
import { parseProject } from '../parse/parse-project';
import { resolveRefs, type UpstreamProject } from './resolve-refs';
import type { ModelNode } from '../types';

function upstream(name: string, models: Array<Partial<ModelNode> & { name: string }>): UpstreamProject {
  return {
    name,
    nodes: models.map((m) => ({
      unique_id: `model.${name}.${m.name}${m.version ? `.v${m.version}` : ''}`,
      resource_type: 'model',
      package_name: name,
      original_file_path: `models/${m.name}.sql`,
      fqn: [name, m.name],
      description: '',
      tags: [],
      meta: {},
      columns: [],
      raw_code: '',
      refs: [],
      sources: [],
      depends_on: { nodes: [], macros: [] },
      database: name,
      schema: 'gold',
      alias: m.name,
      checksum: '',
      external: true,
      ...m,
      config: { materialized: 'table', schema: 'gold', tags: [], enabled: true, access: 'public', contract: { enforced: true }, meta: {}, ...(m.config ?? {}) },
    })),
  };
}

function errorOf(fn: () => unknown): MeshError {
  try {
    fn();
  } catch (e) {
    if (e instanceof MeshError) return e;
    throw e;
  }
  throw new Error('expected an error');
}

describe('resolveRefs', () => {
  const consumer = (sql: string) => parseProject(projectFromFiles({ 'mesh_project.yml': 'name: sales\n', 'models/gold/m.sql': sql }));

  it('resolves a cross-project ref to the upstream latest version and injects the node', () => {
    const up = upstream('inventory', [
      { name: 'products', version: '1', latest_version: '2' },
      { name: 'products', version: '2', latest_version: '2' },
    ]);
    const r = resolveRefs(consumer("select * from {{ ref('inventory', 'products') }}"), { upstreams: [up] });
    expect(r.refTargets.get('model.sales.m')).toEqual(['model.inventory.products.v2']);
    expect(r.nodes.map((n) => n.unique_id)).toContain('model.inventory.products.v2');
    const pinned = resolveRefs(consumer("select * from {{ ref('inventory', 'products', v=1) }}"), { upstreams: [up] });
    expect(pinned.refTargets.get('model.sales.m')).toEqual(['model.inventory.products.v1']);
  });

  it('refuses a protected model of another project in dbt wording', () => {
    const up = upstream('inventory', [{ name: 'stock', config: { access: 'protected' } as ModelNode['config'] }]);
    const e = errorOf(() => resolveRefs(consumer("select * from {{ ref('inventory', 'stock') }}"), { upstreams: [up] }));
    expect(e.code).toBe('E_REF_ACCESS');
    expect(e.message).toBe("Node model.sales.m attempted to reference node model.inventory.stock, which is not allowed because the referenced node is protected to the 'inventory' package.");
  });

  it('refuses a private model outside its group', () => {
    const parsed = parseProject(projectFromFiles({
      'models/a.sql': 'select 1 as x',
      'models/b.sql': "select * from {{ ref('a') }}",
      'models/p.yml': 'groups:\n  - name: fin\n    owner: {name: Finance}\nmodels:\n  - name: a\n    config: {access: private, group: fin}\n',
    }));
    const e = errorOf(() => resolveRefs(parsed));
    expect(e.message).toContain("because the referenced node is private to the 'fin' group");
    expect(e.location).toEqual({ file: 'models/b.sql', line: 1 });
  });

  it('names an undeclared upstream project', () => {
    const e = errorOf(() => resolveRefs(consumer("select 1\nfrom {{ ref('finance', 'x') }}")));
    expect(e.code).toBe('E_REF_UNKNOWN_PROJECT');
    expect(e.message).toBe("ref('finance', 'x'): 'finance' is not an upstream project of 'sales'");
    expect(e.location?.line).toBe(2);
  });

  it('an unpinned ref never takes a prerelease (a version above latest_version); v= reaches it', () => {
    const up = upstream('inventory', [
      { name: 'products', version: '9', latest_version: '9' },
      { name: 'products', version: '10', latest_version: '9' },
    ]);
    const r = resolveRefs(consumer("select * from {{ ref('inventory', 'products') }}"), { upstreams: [up] });
    expect(r.refTargets.get('model.sales.m')).toEqual(['model.inventory.products.v9']);
    const pinned = resolveRefs(consumer("select * from {{ ref('inventory', 'products', v=10) }}"), { upstreams: [up] });
    expect(pinned.refTargets.get('model.sales.m')).toEqual(['model.inventory.products.v10']);
  });

  it('warns on a deprecated version, or fails with failOnDeprecated', () => {
    const up = upstream('inventory', [{ name: 'products', version: '1', latest_version: '2', deprecation_date: '2026-01-01' }, { name: 'products', version: '2', latest_version: '2' }]);
    const parsed = consumer("select * from {{ ref('inventory', 'products', v=1) }}");
    const r = resolveRefs(parsed, { upstreams: [up], now: new Date('2026-06-01') });
    expect(r.warnings.map((w) => w.code)).toEqual(['W_REF_DEPRECATED']);
    expect(r.warnings[0]!.hint).toBe("Move to version 2: ref('inventory', 'products', v=2).");
    expect(errorOf(() => resolveRefs(consumer("select * from {{ ref('inventory', 'products', v=1) }}"), { upstreams: [up], now: new Date('2026-06-01'), failOnDeprecated: true })).code).toBe('E_REF_DEPRECATED');
  });

  it('an undeclared source names the file and line, and the closest declared one', () => {
    const parsed = parseProject(projectFromFiles({
      'models/a.sql': "select 1\nfrom {{ source('raw', 'ordrs') }}",
      'models/s.yml': 'sources:\n  - name: raw\n    tables: [{name: orders}]\n',
    }));
    const e = errorOf(() => resolveRefs(parsed));
    expect(e.code).toBe('E_SOURCE_UNKNOWN');
    expect(e.location).toEqual({ file: 'models/a.sql', line: 2 });
    expect(e.hint).toBe("Did you mean 'raw.orders'?");
  });

  it('a missing version lists the ones there are', () => {
    const up = upstream('inventory', [{ name: 'products', version: '1', latest_version: '1' }]);
    const e = errorOf(() => resolveRefs(consumer("select * from {{ ref('inventory', 'products', v=3) }}"), { upstreams: [up] }));
    expect(e.hint).toBe('Available versions: 1.');
  });

  it('a seed has no access in its own project, as in dbt: a private seed outside its group is read', () => {
    const parsed = parseProject(projectFromFiles({
      'seeds/codes.csv': 'id\n1\n',
      'models/b.sql': "select * from {{ ref('codes') }}",
      'models/p.yml': 'groups:\n  - name: fin\n    owner: {name: Finance}\nseeds:\n  - name: codes\n    config: {access: private, group: fin}\n',
    }));
    expect(resolveRefs(parsed).refTargets.get('model.demo.b')).toEqual(['seed.demo.codes']);
  });

  it('a protected model of an installed package is read unless the package sets restrict-access', () => {
    const parsed = parseProject(projectFromFiles({ 'models/b.sql': "select * from {{ ref('helper') }}" }));
    const [helper] = upstream('pkg', [{ name: 'helper', config: { access: 'protected' } as ModelNode['config'] }]).nodes;
    parsed.nodes.push({ ...helper!, external: false });
    expect(resolveRefs(parsed).refTargets.get('model.demo.b')).toEqual(['model.pkg.helper']);
    const e = errorOf(() => resolveRefs(parsed, { restrictAccess: new Set(['pkg']) }));
    expect(e.message).toBe("Node model.demo.b attempted to reference node model.pkg.helper, which is not allowed because the referenced node is protected to the 'pkg' package.");
  });

  it('lists every ref that does not resolve, not only the first', () => {
    const parsed = parseProject(projectFromFiles({
      'models/a.sql': "select * from {{ ref('nope') }}",
      'models/b.sql': "select 1\nfrom {{ ref('gone') }}",
    }));
    const e = errorOf(() => resolveRefs(parsed));
    expect([e, ...e.related].map((x) => `${x.location?.file}:${x.location?.line} ${x.code}`)).toEqual(['models/a.sql:1 E_REF_UNKNOWN', 'models/b.sql:2 E_REF_UNKNOWN']);
  });
});
