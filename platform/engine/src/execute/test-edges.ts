import type { Dag } from '../graph/dag';

/**
 * Which tests each node waits for in a build, by dbt's rule: a node waits for a test when everything
 * the test reads is upstream of the node. A test of one model holds back that model's children; a
 * relationships test between two models holds back only what is downstream of both, so a test that
 * checks a model against one built after it never holds that model back (it would wait forever).
 * Returns, for each node, the tests it waits for directly; nodes further down wait through it.
 */
export function testEdges(dag: Dag, tests: Iterable<string>): Map<string, string[]> {
  const out = new Map<string, string[]>();
  const add = (node: string, test: string) => {
    const list = out.get(node);
    if (list) list.push(test);
    else out.set(node, [test]);
  };
  const isTest = (id: string) => dag.nodes.get(id)?.resource_type === 'test';
  for (const test of tests) {
    const deps = [...new Set(dag.parents.get(test) ?? [])];
    if (deps.length === 1) {
      for (const child of dag.children.get(deps[0]!) ?? []) if (!isTest(child)) add(child, test);
      continue;
    }
    if (!deps.length) continue;
    // The nodes below every dependency; those with no parent among them wait, the rest wait through them.
    let common: Set<string> | undefined;
    for (const dep of deps) {
      const below = descendants(dag, dep, isTest);
      common = common ? new Set([...common].filter((id) => below.has(id))) : below;
      if (!common.size) break;
    }
    for (const id of common ?? []) {
      if (!(dag.parents.get(id) ?? []).some((p) => common!.has(p))) add(id, test);
    }
  }
  return out;
}

function descendants(dag: Dag, start: string, skip: (id: string) => boolean): Set<string> {
  const seen = new Set<string>();
  const stack = [start];
  while (stack.length) {
    for (const child of dag.children.get(stack.pop()!) ?? []) {
      if (seen.has(child) || skip(child)) continue;
      seen.add(child);
      stack.push(child);
    }
  }
  return seen;
}
