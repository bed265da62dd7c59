import { describe, expect, it } from 'vitest';
import { projectFromFiles } from '../test-support';
import { parseProject } from '../parse/parse-project';
import { resolveRefs } from '../graph/resolve-refs';
import { buildDag } from '../graph/dag';
import { testEdges } from './test-edges';

function edges(files: Record<string, string>): Record<string, string[]> {
  const parsed = parseProject(projectFromFiles(files));
  const dag = buildDag(resolveRefs(parsed).nodes);
  const tests = [...dag.nodes.values()].filter((n) => n.resource_type === 'test').map((n) => n.unique_id);
  const out = testEdges(dag, tests);
  const short = (id: string) => dag.nodes.get(id)!.name;
  return Object.fromEntries([...out].map(([node, ts]) => [short(node), ts.map(short).sort()]).sort());
}

describe('testEdges: what a build waits for, by dbt\'s rule', () => {
  it('a test of one model holds back its children; a test against a downstream model holds back only what is below both', () => {
    const result = edges({
      'models/orders.sql': 'select 1 as id, 1 as customer_id',
      'models/customers.sql': "select customer_id from {{ ref('orders') }}",
      'models/report.sql': "select * from {{ ref('customers') }} join {{ ref('orders') }} using (customer_id)",
      'models/p.yml': [
        'models:',
        '  - name: orders',
        '    columns:',
        '      - name: id',
        '        data_tests: [not_null]',
        '      - name: customer_id',
        "        data_tests: [{relationships: {arguments: {to: \"ref('customers')\", field: customer_id}}}]",
      ].join('\n'),
    });
    expect(result).toEqual({
      customers: ['not_null_orders_id'],
      // report is below both orders and customers: it waits for the relationships test; customers never does.
      report: ['not_null_orders_id', 'relationships_orders_customer_id__customer_id__ref_customers_'],
    });
  });
});
