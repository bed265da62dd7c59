import type { Dag } from '../graph/dag';
import type { RunCommand } from './runner';

/**
 * Where unit tests go in a run, as dbt puts them. In `build`, a model's unit tests wait for what the
 * model waits for (its inputs, built and tested), one after the other, and the model waits for them: a
 * failing unit test skips the model, what reads it and the model's unit tests still to run. Elsewhere
 * (`test`) they run against the inputs as they are and wait for nothing.
 */
export function orderUnitTests(dag: Dag, runnable: string[], waitsFor: Map<string, string[]>, command: RunCommand): void {
  const set = new Set(runnable);
  const byModel = new Map<string, string[]>();
  for (const id of runnable) {
    const node = dag.nodes.get(id)!;
    if (node.resource_type !== 'unit_test') continue;
    const model = node.depends_on.nodes[0];
    if (model === undefined) waitsFor.set(id, []);
    else byModel.set(model, [...(byModel.get(model) ?? []), id]);
  }
  for (const [model, tests] of byModel) {
    tests.sort();
    if (command !== 'build') {
      for (const id of tests) waitsFor.set(id, []);
      continue;
    }
    const before = set.has(model) ? waitsFor.get(model)! : dag.parents.get(model)!.filter((p) => set.has(p));
    tests.forEach((id, i) => waitsFor.set(id, i > 0 ? [...before, tests[i - 1]!] : [...before]));
    if (set.has(model)) waitsFor.set(model, [...before, ...tests]);
  }
}
