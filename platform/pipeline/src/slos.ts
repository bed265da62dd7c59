import type { Adapter, RunCommand, RunOutcome } from '@mesh/engine';
import { failingSlos, loadDataProduct, measureSlos, sloTargets, type SloResult } from '@mesh/governance';
import { MetadataStore, metadataPath, type RunRecord } from '@mesh/metadata';
import { alertRun } from './alert';
import type { Reporter } from './events';
import type { RunOrigin } from './options';

/**
 * After the nodes ran: the run goes into the project's metadata database, and after run or build the
 * data product's SLOs are measured on the tables just built and recorded beside it. What this returns
 * decides whether the build may publish: an SLO whose on_breach is fail and that is not met stops it.
 */
export async function recordAndMeasure(command: RunCommand, outcome: RunOutcome, adapter: Adapter, startedAt: Date, origin: RunOrigin, report: Reporter, env?: Record<string, string | undefined>): Promise<SloResult[]> {
  const path = metadataPath(outcome.parsed.root);
  const run = runRecord(command, outcome, startedAt, origin);
  try {
    await MetadataStore.use(path, (store) => store.recordRun(run));
  } catch (error) {
    // History is worth having, not worth failing a build for.
    report({ kind: 'warning', error });
    return [];
  }
  let results: SloResult[] = [];
  const product = command === 'run' || command === 'build' ? loadDataProduct(outcome.parsed.root) : undefined;
  if (product?.slos) {
    const measured = sloTargets(outcome, product);
    // A model that failed or was skipped in this run holds the last run's data: measuring it would
    // report that data as this build's. Its SLOs are said to be unmeasured instead.
    const notBuilt = new Map(outcome.results.filter((r) => r.status === 'error' || r.status === 'skipped').map((r) => [r.unique_id, r.status]));
    const unmeasured: SloResult[] = [];
    const setup = {
      ...measured,
      targets: measured.targets.map((t) => {
        for (const m of t.models.filter((m) => notBuilt.has(m.uniqueId))) {
          unmeasured.push({ slo: t.slo, model: m.name, objective: '', status: 'error', onBreach: t.onBreach, message: `not measured: ${m.name} ${notBuilt.get(m.uniqueId) === 'error' ? 'failed' : 'was skipped'} in this run` });
        }
        return { ...t, models: t.models.filter((m) => !notBuilt.has(m.uniqueId)) };
      }).filter((t) => t.models.length),
    };
    const lastBuilt = await MetadataStore.use(path, (store) => store.lastBuilt(setup.targets.flatMap((t) => t.models.map((m) => m.uniqueId))));
    // Measured with the metadata database closed: SLO queries on large tables take a while, and `mesh
    // runs` or `mesh status` meanwhile must be able to open it.
    const session = await adapter.session();
    const now = new Date();
    try {
      results = await measureSlos(session, product, setup, { now, lastBuilt });
    } finally {
      session.close();
    }
    await MetadataStore.use(path, (store) => store.recordSlos(outcome.invocationId, outcome.parsed.name, now, results));
    if (results.length || unmeasured.length) report({ kind: 'slos', results, unmeasured });
  }
  await alertRun(outcome.parsed.root, run, results, report, env);
  return results;
}

function runRecord(command: RunCommand, outcome: RunOutcome, startedAt: Date, origin: RunOrigin): RunRecord {
  const failed = outcome.results.some((r) => r.status === 'error' || r.status === 'fail');
  return {
    runId: outcome.invocationId,
    project: outcome.parsed.name,
    command,
    startedAt,
    finishedAt: new Date(),
    status: failed ? 'error' : 'success',
    ...origin,
    nodes: outcome.results.map((r) => ({
      uniqueId: r.unique_id,
      resourceType: outcome.dag.nodes.get(r.unique_id)?.resource_type ?? 'unknown',
      status: r.status,
      rows: r.rows,
      elapsedS: r.execution_time,
      finishedAt: new Date(r.completed_at),
      message: r.message,
    })),
  };
}

/** The refusal a failing SLO gives the publication: consumers keep the last publication that met them. */
export function sloRefusal(failing: SloResult[]): { code: string; reason: string; details: string; hint: string } {
  return {
    code: 'E_SLO_BREACHED',
    reason: `${failing.length} SLO${failing.length === 1 ? '' : 's'} with on_breach: fail ${failing.length === 1 ? 'is' : 'are'} not met`,
    details: failing.map((r) => `${r.slo} ${r.model}${r.column ? `.${r.column}` : ''}: ${r.message}`).join('\n'),
    hint: 'Fix the data or the model, then build again; or, if the objective is wrong, change it (or its on_breach) under slos: in data_product.yaml.',
  };
}

export { failingSlos };
