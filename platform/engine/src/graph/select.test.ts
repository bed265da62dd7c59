import { MeshError } from '@mesh/errors';
import { describe, expect, it } from 'vitest';
import type { GraphNode, ModelNode, NodeConfig, SourceNode, TestNode } from '../types';
import { buildDag, type Dag } from './dag';
import { selectNodes, unmatchedSelectors, type SelectionOptions } from './select';

// Only the fields selection reads are filled in; the rest of a real node is irrelevant here.
function model(
  id: string,
  opts: {
    path: string;
    fqn: string[];
    deps?: string[];
    tags?: string[];
    config?: Partial<NodeConfig>;
    version?: string;
    name?: string;
  },
): ModelNode {
  const [type, pkg, name] = id.split('.') as ['model' | 'seed', string, string];
  return {
    unique_id: id,
    resource_type: type,
    name: opts.name ?? name,
    package_name: pkg,
    original_file_path: opts.path,
    fqn: opts.fqn,
    tags: opts.tags ?? [],
    depends_on: { nodes: opts.deps ?? [], macros: [] },
    version: opts.version,
    config: {
      materialized: type === 'seed' ? 'seed' : 'view',
      access: 'protected',
      tags: opts.tags ?? [],
      enabled: true,
      contract: { enforced: false },
      ...opts.config,
    },
  } as unknown as ModelNode;
}

function source(pkg: string, sourceName: string, table: string): SourceNode {
  return {
    unique_id: `source.${pkg}.${sourceName}.${table}`,
    resource_type: 'source',
    name: table,
    source_name: sourceName,
    package_name: pkg,
    original_file_path: 'models/sources.yml',
    fqn: [pkg, sourceName, table],
    tags: [],
  } as unknown as SourceNode;
}

function test(
  name: string,
  deps: string[],
  opts: { generic?: string; path?: string; tags?: string[]; pkg?: string } = {},
): TestNode {
  const pkg = opts.pkg ?? 'shop';
  return {
    unique_id: `test.${pkg}.${name}`,
    resource_type: 'test',
    name,
    package_name: pkg,
    original_file_path: opts.path ?? 'models/schema.yml',
    fqn: [pkg, name],
    tags: opts.tags ?? [],
    depends_on: { nodes: deps, macros: [] },
    attached_node: opts.generic ? deps[0] : undefined,
    test_metadata: opts.generic ? { name: opts.generic, kwargs: {} } : undefined,
    config: { severity: 'error', tags: opts.tags ?? [], enabled: true },
  } as unknown as TestNode;
}

/*
 *  source raw.customers -> stg_customers --+--> customers --+--> report --> finance.revenue
 *  seed raw_customers ---------------------'                |
 *  source raw.orders ----> stg_orders ------+--> orders ----'
 *                                  \         (stg_customers also feeds orders)
 *                                   `------> orders v2
 */
function shopDag(): Dag {
  const nodes: GraphNode[] = [
    source('shop', 'raw', 'customers'),
    source('shop', 'raw', 'orders'),
    model('seed.shop.raw_customers', { path: 'seeds/raw_customers.csv', fqn: ['shop', 'raw_customers'] }),
    model('model.shop.stg_customers', {
      path: 'models/staging/stg_customers.sql',
      fqn: ['shop', 'staging', 'stg_customers'],
      deps: ['source.shop.raw.customers'],
      tags: ['staging'],
    }),
    model('model.shop.stg_orders', {
      path: 'models/staging/stg_orders.sql',
      fqn: ['shop', 'staging', 'stg_orders'],
      deps: ['source.shop.raw.orders'],
      tags: ['staging', 'nightly'],
    }),
    model('model.shop.customers', {
      path: 'models/gold/customers.sql',
      fqn: ['shop', 'gold', 'customers'],
      deps: ['model.shop.stg_customers', 'seed.shop.raw_customers'],
      config: { materialized: 'table', access: 'public', group: 'finance', contract: { enforced: true } },
    }),
    model('model.shop.orders', {
      path: 'models/gold/orders.sql',
      fqn: ['shop', 'gold', 'orders', 'v1'],
      deps: ['model.shop.stg_orders', 'model.shop.stg_customers'],
      tags: ['nightly'],
      version: '1',
      config: { materialized: 'incremental', incremental_strategy: 'delete+insert', group: 'sales' },
    }),
    model('model.shop.orders.v2', {
      name: 'orders',
      path: 'models/gold/orders_v2.sql',
      fqn: ['shop', 'gold', 'orders', 'v2'],
      deps: ['model.shop.stg_orders'],
      version: '2',
      config: { materialized: 'table', access: 'public' },
    }),
    model('model.shop.report', {
      path: 'models/marts/report.sql',
      fqn: ['shop', 'marts', 'report'],
      deps: ['model.shop.customers', 'model.shop.orders'],
      config: { materialized: 'table', access: 'private' },
    }),
    model('model.finance.revenue', {
      path: 'models/revenue.sql',
      fqn: ['finance', 'revenue'],
      deps: ['model.shop.report'],
    }),
    test('not_null_orders_id', ['model.shop.orders'], { generic: 'not_null' }),
    test('relationships_orders_customer_id', ['model.shop.orders', 'model.shop.customers'], {
      generic: 'relationships',
    }),
    test('assert_report_positive', ['model.shop.report'], { path: 'tests/assert_report_positive.sql' }),
    test('source_not_null_raw_customers_id', ['source.shop.raw.customers'], { generic: 'not_null' }),
    test('relationships_stg_customers_raw', ['model.shop.stg_customers', 'source.shop.raw.orders'], {
      generic: 'relationships',
    }),
  ];
  return buildDag(nodes);
}

const dag = shopDag();
const select = (options: SelectionOptions) => [...selectNodes(dag, options)].sort();
const sel = (...selectors: string[]) => select({ select: selectors });
const modelsOnly = (...selectors: string[]) => select({ select: selectors, resourceTypes: ['model', 'seed'] });

const ALL_MODELS = [
  'model.finance.revenue',
  'model.shop.customers',
  'model.shop.orders',
  'model.shop.orders.v2',
  'model.shop.report',
  'model.shop.stg_customers',
  'model.shop.stg_orders',
  'seed.shop.raw_customers',
];
const ALL_TESTS = [
  'test.shop.assert_report_positive',
  'test.shop.not_null_orders_id',
  'test.shop.relationships_orders_customer_id',
  'test.shop.relationships_stg_customers_raw',
  'test.shop.source_not_null_raw_customers_id',
];

function selectorError(fn: () => unknown): MeshError {
  try {
    fn();
  } catch (error) {
    expect(error).toBeInstanceOf(MeshError);
    expect((error as MeshError).code).toBe('E_SELECTOR');
    return error as MeshError;
  }
  throw new Error('expected an E_SELECTOR error');
}

describe('selectNodes: defaults', () => {
  it('selects every model, seed and test but never a source when nothing is selected', () => {
    expect(select({})).toEqual([...ALL_MODELS, ...ALL_TESTS].sort());
    expect(select({ select: [] })).toEqual(select({}));
    expect(select({ select: ['  '] })).toEqual(select({}));
  });

  it('returns the same set whatever the selector order', () => {
    expect(sel('report customers')).toEqual(sel('customers', 'report'));
    expect([...selectNodes(dag, {})]).toEqual([...dag.nodes.keys()].filter((id) => !id.startsWith('source.')));
  });
});

describe('selectNodes: names and fqn', () => {
  it('matches a plain name', () => {
    expect(modelsOnly('customers')).toEqual(['model.shop.customers']);
    expect(modelsOnly('raw_customers')).toEqual(['seed.shop.raw_customers']);
    expect(sel('not_null_orders_id')).toEqual(['test.shop.not_null_orders_id']);
  });

  it('matches every version of a versioned model by name, and one version by name.vN or name_vN', () => {
    expect(modelsOnly('orders')).toEqual(['model.shop.orders', 'model.shop.orders.v2']);
    expect(modelsOnly('orders.v2')).toEqual(['model.shop.orders.v2']);
    expect(modelsOnly('orders_v2')).toEqual(['model.shop.orders.v2']);
    expect(modelsOnly('orders_v1')).toEqual(['model.shop.orders']);
  });

  it('does not match sources by name', () => {
    // raw.customers is a source table called "customers"; only the model is selected.
    expect(modelsOnly('customers+')).toEqual(['model.finance.revenue', 'model.shop.customers', 'model.shop.report']);
  });

  it('matches dotted fqn paths as a full path, a suffix, or a folder prefix', () => {
    expect(modelsOnly('shop.gold.customers')).toEqual(['model.shop.customers']);
    expect(modelsOnly('gold.customers')).toEqual(['model.shop.customers']);
    expect(modelsOnly('gold.orders')).toEqual(['model.shop.orders', 'model.shop.orders.v2']);
    expect(modelsOnly('shop.staging')).toEqual(['model.shop.stg_customers', 'model.shop.stg_orders']);
    expect(modelsOnly('shop.gold.*')).toEqual(['model.shop.customers', 'model.shop.orders', 'model.shop.orders.v2']);
    expect(modelsOnly('gold.nope')).toEqual([]);
  });

  it('gives the same answers once many plain names switch lookups to the name index', () => {
    const names = ['customers', 'orders_v2', 'finance', 'raw_customers', 'nope', 'stg_orders', 'report', 'a', 'b', 'c'];
    const many = ['x1 x2 x3 x4 x5 x6 x7 x8 x9', ...names];
    expect(modelsOnly(...many)).toEqual(modelsOnly(...names));
    expect(modelsOnly(...many)).toEqual([
      'model.finance.revenue',
      'model.shop.customers',
      'model.shop.orders.v2',
      'model.shop.report',
      'model.shop.stg_orders',
      'seed.shop.raw_customers',
    ]);
    expect(modelsOnly('x1 x2 x3 x4 x5 x6 x7 x8 x9 orders')).toEqual(['model.shop.orders', 'model.shop.orders.v2']);
    // Sources stay out of the index too.
    expect(select({ select: ['x1 x2 x3 x4 x5 x6 x7 x8 x9 customers+1'], resourceTypes: ['model'] })).toEqual([
      'model.shop.customers',
      'model.shop.report',
    ]);
  });

  it('selects a whole project by its name', () => {
    expect(sel('finance')).toEqual(['model.finance.revenue']);
  });

  it('supports * globs', () => {
    expect(modelsOnly('stg_*')).toEqual(['model.shop.stg_customers', 'model.shop.stg_orders']);
    expect(modelsOnly('*_customers')).toEqual(['model.shop.stg_customers', 'seed.shop.raw_customers']);
    expect(sel('*')).toEqual(select({}));
  });

  it('accepts the explicit fqn: method', () => {
    expect(modelsOnly('fqn:shop.marts.report')).toEqual(['model.shop.report']);
    expect(modelsOnly('fqn:report')).toEqual(['model.shop.report']);
  });

  it('treats a bare path or file name as path:/file:', () => {
    expect(modelsOnly('models/staging')).toEqual(['model.shop.stg_customers', 'model.shop.stg_orders']);
    expect(modelsOnly('report.sql')).toEqual(['model.shop.report']);
  });
});

describe('selectNodes: methods', () => {
  it('tag:', () => {
    expect(modelsOnly('tag:nightly')).toEqual(['model.shop.orders', 'model.shop.stg_orders']);
    expect(modelsOnly('tag:night*')).toEqual(['model.shop.orders', 'model.shop.stg_orders']);
    expect(modelsOnly('tag:missing')).toEqual([]);
  });

  it('path: matches a folder prefix, a file and globs', () => {
    expect(modelsOnly('path:models/gold')).toEqual([
      'model.shop.customers',
      'model.shop.orders',
      'model.shop.orders.v2',
    ]);
    expect(modelsOnly('path:./models/gold/')).toEqual(modelsOnly('path:models/gold'));
    expect(modelsOnly('path:models\\gold')).toEqual(modelsOnly('path:models/gold'));
    expect(modelsOnly('path:models/gold/orders.sql')).toEqual(['model.shop.orders']);
    // A prefix must stop at a folder boundary: models/gol is not models/gold.
    expect(modelsOnly('path:models/gol')).toEqual([]);
    expect(modelsOnly('path:models/*/orders*.sql')).toEqual(['model.shop.orders', 'model.shop.orders.v2']);
    expect(modelsOnly('path:models/**/stg_orders.sql')).toEqual(['model.shop.stg_orders']);
    expect(sel('path:tests')).toEqual(['test.shop.assert_report_positive']);
    expect(modelsOnly('path:seeds')).toEqual(['seed.shop.raw_customers']);
  });

  it('file: matches the file name with or without extension', () => {
    expect(modelsOnly('file:orders_v2.sql')).toEqual(['model.shop.orders.v2']);
    expect(modelsOnly('file:raw_customers')).toEqual(['seed.shop.raw_customers']);
  });

  it('resource_type:', () => {
    expect(sel('resource_type:seed')).toEqual(['seed.shop.raw_customers']);
    expect(sel('resource_type:test')).toEqual(ALL_TESTS);
    expect(modelsOnly('resource_type:model')).toEqual(ALL_MODELS.filter((id) => id.startsWith('model.')));
    // Every model is selected, so the tests whose models are all selected come along; the source test does not.
    expect(select({ select: ['resource_type:model'], resourceTypes: ['test'] })).toEqual(
      ALL_TESTS.filter((id) => !id.includes('source_not_null')),
    );
    // Sources are never returned themselves, but selecting them selects the tests on them.
    expect(sel('resource_type:source')).toEqual(['test.shop.source_not_null_raw_customers_id']);
  });

  it('config.<key>:', () => {
    expect(modelsOnly('config.materialized:table')).toEqual([
      'model.shop.customers',
      'model.shop.orders.v2',
      'model.shop.report',
    ]);
    expect(modelsOnly('config.materialized:incremental')).toEqual(['model.shop.orders']);
    expect(modelsOnly('config.incremental_strategy:delete+insert')).toEqual(['model.shop.orders']);
    expect(modelsOnly('config.contract.enforced:true')).toEqual(['model.shop.customers']);
    expect(modelsOnly('config.tags:staging')).toEqual(['model.shop.stg_customers', 'model.shop.stg_orders']);
    expect(sel('config.severity:error')).toEqual(ALL_TESTS);
    expect(modelsOnly('config.nope:x')).toEqual([]);
  });

  it('access:, group:', () => {
    expect(modelsOnly('access:public')).toEqual(['model.shop.customers', 'model.shop.orders.v2']);
    expect(modelsOnly('access:private')).toEqual(['model.shop.report']);
    expect(modelsOnly('group:finance')).toEqual(['model.shop.customers']);
    expect(modelsOnly('group:sales')).toEqual(['model.shop.orders']);
  });

  it('package: and its alias project:', () => {
    expect(sel('package:finance')).toEqual(['model.finance.revenue']);
    expect(sel('project:finance')).toEqual(['model.finance.revenue']);
    expect(sel('package:shop')).toEqual([...ALL_MODELS, ...ALL_TESTS].filter((id) => id.includes('.shop.')).sort());
  });

  it('source: selects sources, which only matter through graph operators and tests', () => {
    expect(modelsOnly('source:raw')).toEqual([]);
    expect(modelsOnly('source:raw.customers+1')).toEqual(['model.shop.stg_customers']);
    expect(modelsOnly('source:raw+1')).toEqual(['model.shop.stg_customers', 'model.shop.stg_orders']);
    expect(modelsOnly('source:shop.raw.orders+1')).toEqual(['model.shop.stg_orders']);
    expect(modelsOnly('source:raw.cust*+1')).toEqual(['model.shop.stg_customers']);
    expect(modelsOnly('source:raw.orders+')).toEqual([
      'model.finance.revenue',
      'model.shop.orders',
      'model.shop.orders.v2',
      'model.shop.report',
      'model.shop.stg_orders',
    ]);
    expect(unmatchedSelectors(dag, { select: ['source:raw', 'source:nope'] })).toEqual(['source:nope']);
  });

  it('test_type: and test_name:', () => {
    expect(sel('test_type:singular')).toEqual(['test.shop.assert_report_positive']);
    expect(sel('test_type:data')).toEqual(ALL_TESTS);
    expect(sel('test_type:unit')).toEqual([]);
    expect(sel('test_type:generic')).toEqual(ALL_TESTS.filter((id) => !id.includes('assert')));
    expect(sel('test_name:relationships')).toEqual([
      'test.shop.relationships_orders_customer_id',
      'test.shop.relationships_stg_customers_raw',
    ]);
  });
});

describe('selectNodes: graph operators', () => {
  it('+x selects all ancestors; upstream sources are dropped but bring their tests', () => {
    expect(sel('+customers')).toEqual([
      'model.shop.customers',
      'model.shop.stg_customers',
      'seed.shop.raw_customers',
      'test.shop.relationships_stg_customers_raw',
      'test.shop.source_not_null_raw_customers_id',
    ]);
  });

  it('x+ selects all descendants, including tests that hang off them', () => {
    expect(sel('stg_customers+')).toEqual([
      'model.finance.revenue',
      'model.shop.customers',
      'model.shop.orders',
      'model.shop.report',
      'model.shop.stg_customers',
      'test.shop.assert_report_positive',
      'test.shop.not_null_orders_id',
      'test.shop.relationships_orders_customer_id',
      'test.shop.relationships_stg_customers_raw',
    ]);
  });

  it('N+x and x+N limit the depth', () => {
    expect(modelsOnly('1+report')).toEqual(['model.shop.customers', 'model.shop.orders', 'model.shop.report']);
    expect(modelsOnly('2+report')).toEqual([
      'model.shop.customers',
      'model.shop.orders',
      'model.shop.report',
      'model.shop.stg_customers',
      'model.shop.stg_orders',
      'seed.shop.raw_customers',
    ]);
    expect(modelsOnly('stg_customers+1')).toEqual([
      'model.shop.customers',
      'model.shop.orders',
      'model.shop.stg_customers',
    ]);
    expect(modelsOnly('stg_customers+2')).toEqual([
      'model.shop.customers',
      'model.shop.orders',
      'model.shop.report',
      'model.shop.stg_customers',
    ]);
    expect(modelsOnly('report+0')).toEqual(['model.shop.report']);
  });

  it('+x+ selects both directions; depths can differ on each side', () => {
    expect(modelsOnly('+customers+')).toEqual([
      'model.finance.revenue',
      'model.shop.customers',
      'model.shop.report',
      'model.shop.stg_customers',
      'seed.shop.raw_customers',
    ]);
    expect(modelsOnly('1+customers+1')).toEqual([
      'model.shop.customers',
      'model.shop.report',
      'model.shop.stg_customers',
      'seed.shop.raw_customers',
    ]);
  });

  it('@x selects x, its descendants and every ancestor of those', () => {
    // customers -> report needs orders, so orders and its upstream come in too; orders v2 does not.
    expect(modelsOnly('@customers')).toEqual([
      'model.finance.revenue',
      'model.shop.customers',
      'model.shop.orders',
      'model.shop.report',
      'model.shop.stg_customers',
      'model.shop.stg_orders',
      'seed.shop.raw_customers',
    ]);
    expect(modelsOnly('@report')).toEqual(modelsOnly('+report+'));
  });

  it('applies operators to every node a method matched', () => {
    expect(modelsOnly('tag:staging+1')).toEqual([
      'model.shop.customers',
      'model.shop.orders',
      'model.shop.orders.v2',
      'model.shop.stg_customers',
      'model.shop.stg_orders',
    ]);
  });
});

describe('selectNodes: set operations', () => {
  it('unions space-separated selectors and separate entries', () => {
    expect(modelsOnly('customers report')).toEqual(['model.shop.customers', 'model.shop.report']);
    expect(modelsOnly('customers', 'report')).toEqual(['model.shop.customers', 'model.shop.report']);
    expect(modelsOnly('customers   report')).toEqual(['model.shop.customers', 'model.shop.report']);
  });

  it('intersects comma-joined criteria, each with its own operators', () => {
    expect(modelsOnly('tag:nightly,path:models/gold')).toEqual(['model.shop.orders']);
    expect(modelsOnly('+report,tag:staging')).toEqual(['model.shop.stg_customers', 'model.shop.stg_orders']);
    expect(modelsOnly('stg_orders+,config.materialized:table')).toEqual(['model.shop.orders.v2', 'model.shop.report']);
    expect(modelsOnly('+report,stg_customers+')).toEqual([
      'model.shop.customers',
      'model.shop.orders',
      'model.shop.report',
      'model.shop.stg_customers',
    ]);
    expect(modelsOnly('tag:nightly,access:public')).toEqual([]);
  });

  it('removes excluded nodes from the selection', () => {
    expect(modelsOnly('+report')).toContain('seed.shop.raw_customers');
    expect(select({ select: ['+report'], exclude: ['resource_type:seed tag:staging'], resourceTypes: ['model', 'seed'] })).toEqual([
      'model.shop.customers',
      'model.shop.orders',
      'model.shop.report',
    ]);
    expect(select({ exclude: ['package:shop'] })).toEqual(['model.finance.revenue']);
    expect(select({ exclude: ['stg_customers+'], resourceTypes: ['model'] })).toEqual([
      'model.shop.orders.v2',
      'model.shop.stg_orders',
    ]);
  });

  it('filters the final set by resource type', () => {
    expect(select({ select: ['orders'], resourceTypes: ['test'] })).toEqual(['test.shop.not_null_orders_id']);
    expect(select({ resourceTypes: ['seed'] })).toEqual(['seed.shop.raw_customers']);
    expect(select({ resourceTypes: ['source'] })).toEqual([]);
    expect(select({ select: ['report'], resourceTypes: [] })).toEqual(sel('report'));
  });
});

describe('selectNodes: indirect test selection', () => {
  it('adds a test when every model or seed it depends on is selected', () => {
    expect(sel('orders')).toEqual(['model.shop.orders', 'model.shop.orders.v2', 'test.shop.not_null_orders_id']);
    expect(sel('orders customers')).toEqual([
      'model.shop.customers',
      'model.shop.orders',
      'model.shop.orders.v2',
      'test.shop.not_null_orders_id',
      'test.shop.relationships_orders_customer_id',
    ]);
  });

  it('ignores source parents of a test that also depends on a model: sources always exist', () => {
    expect(sel('stg_customers')).toEqual(['model.shop.stg_customers', 'test.shop.relationships_stg_customers_raw']);
  });

  it('adds a test on a source only when that source is selected', () => {
    expect(sel('source:raw.customers')).toEqual(['test.shop.source_not_null_raw_customers_id']);
    expect(sel('source:raw.orders')).toEqual([]);
  });

  it('keeps tests selected directly even when their parents are not', () => {
    expect(sel('test_type:singular')).toEqual(['test.shop.assert_report_positive']);
  });

  it('does not add tests that were excluded, or whose parents were', () => {
    expect(select({ select: ['orders customers'], exclude: ['test_name:relationships'] })).toEqual([
      'model.shop.customers',
      'model.shop.orders',
      'model.shop.orders.v2',
      'test.shop.not_null_orders_id',
    ]);
    // With everything selected, excluding a model also drops the tests that hang off it.
    const all = select({ exclude: ['customers'] });
    expect(all).not.toContain('test.shop.relationships_orders_customer_id');
    expect(all).toContain('test.shop.not_null_orders_id');
    expect(select({ select: ['orders+'], exclude: ['orders'] })).not.toContain('test.shop.not_null_orders_id');
  });
});

describe('unmatchedSelectors', () => {
  it('lists each selector that matched nothing, as written, once', () => {
    expect(
      unmatchedSelectors(dag, {
        select: ['customers tag:nope', 'nope+ tag:nope', 'tag:nightly,access:public'],
        exclude: ['missing'],
      }),
    ).toEqual(['tag:nope', 'nope+', 'tag:nightly,access:public', 'missing']);
    expect(unmatchedSelectors(dag, { select: ['customers'] })).toEqual([]);
    expect(unmatchedSelectors(dag, {})).toEqual([]);
  });

  it('does not fail the selection', () => {
    expect(sel('nope')).toEqual([]);
  });
});

describe('errors', () => {
  it('rejects an unknown method with a hint listing the methods', () => {
    const error = selectorError(() => selectNodes(dag, { select: ['tags:nightly'] }));
    expect(error.message).toContain('"tags"');
    expect(error.hint).toContain('Did you mean "tag:"');
    expect(error.hint).toContain('resource_type');
    expect(error.hint).toContain('config.<key>');
    selectorError(() => unmatchedSelectors(dag, { exclude: ['bogus:x'] }));
  });

  it('rejects bad values for enumerated methods', () => {
    expect(selectorError(() => sel('resource_type:modle')).hint).toContain('model');
    expect(selectorError(() => sel('access:publik')).hint).toContain('public');
    expect(selectorError(() => sel('test_type:integration')).hint).toContain('unit');
  });

  it('rejects malformed selectors', () => {
    selectorError(() => sel('tag:'));
    selectorError(() => sel('customers,'));
    selectorError(() => sel('@+customers'));
    selectorError(() => sel('config.:table'));
  });
});

describe('a 10,000-node graph', () => {
  // Speed is measured by the compile benchmark (tools/bench), not asserted here.
  it('selects correctly across deep chains and wide fan-out', () => {
    const nodes: GraphNode[] = [];
    const n = 10_000;
    for (let i = 0; i < n; i++) {
      // Each model depends on the previous one and on one far upstream, so the graph is deep and wide.
      const deps = i === 0 ? [] : [...new Set([`model.big.m${i - 1}`, `model.big.m${Math.floor(i / 2)}`])];
      nodes.push(
        model(`model.big.m${i}`, {
          path: `models/layer${i % 10}/m${i}.sql`,
          fqn: ['big', `layer${i % 10}`, `m${i}`],
          deps,
          tags: i % 3 === 0 ? ['third'] : [],
        }),
      );
      if (i % 2 === 0) nodes.push(test(`not_null_m${i}`, [`model.big.m${i}`], { generic: 'not_null', pkg: 'big' }));
    }
    const big = buildDag(nodes);
    const options: SelectionOptions = {
      select: ['+m5000 tag:third+ m1', 'path:models/layer3,@m9000', 'big.layer7.* m42+3'],
      exclude: ['m4000+ 2+m100'],
    };
    const result = selectNodes(big, options);
    expect(result.has('model.big.m4000')).toBe(false);
    expect(result.has('model.big.m3999')).toBe(true);
    expect(result.has('test.big.not_null_m3998')).toBe(true);
  });
});
