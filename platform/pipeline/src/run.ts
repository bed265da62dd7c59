import type { Contract } from '@mesh/contract';
import { exportContractData } from '@mesh/contracts';
import { MeshError } from '@mesh/errors';
import { isFailure, runProject, type RunCommand, type RunOutcome } from '@mesh/engine';
import type { SloResult } from '@mesh/governance';
import { publish, type PublishGate, type PublishResult } from '@mesh/loom';
import { contractGate } from './contract-gate';
import { silent, type Reporter } from './events';
import { lockProject } from './lock';
import { CLI_ORIGIN, projectOptions, type DatabaseOptions, type ProjectSelection } from './options';
import { recordFailedRun } from './run-history';
import { failingSlos, recordAndMeasure, sloRefusal } from './slos';

export interface RunDomainOptions extends ProjectSelection, DatabaseOptions {
  /** How many nodes to build at once (the target's threads unless told). */
  threads?: number;
  /** Rebuild incremental models from scratch. */
  fullRefresh?: boolean;
  /** Stop at the first failure; what has not run is skipped. */
  failFast?: boolean;
}

export interface DomainRunResult {
  command: RunCommand;
  outcome: RunOutcome;
  /** The data product's SLOs measured after a run or build. */
  slos: SloResult[];
  /** What publishing did; undefined when the command does not publish (seed) or there was nothing to. */
  publication?: PublishResult;
  /** The code of a refused publication (E_CONTRACT_BROKEN, E_SLO_BREACHED): the build did not deliver. */
  refused?: string;
  /** No node failed and nothing was refused. */
  ok: boolean;
}

/**
 * One run of a domain, as `mesh run/test/build/seed/snapshot` do it: take the project's lock, run the
 * selected nodes, record the run, measure the SLOs, alert, and publish what passes the contract and the
 * SLOs. A run that fails before its nodes ran is recorded (and alerted) too, then its error is thrown.
 */
export async function runDomain(command: RunCommand, options: RunDomainOptions, report: Reporter = silent): Promise<DomainRunResult> {
  if (options.threads !== undefined && (!Number.isInteger(options.threads) || options.threads < 1)) {
    throw new MeshError('E_THREADS', `threads must be a whole number of at least 1, got ${options.threads}`, { hint: 'Pass threads: 4, or leave it out to use the target\'s threads.' });
  }
  const origin = options.origin ?? CLI_ORIGIN;
  let refused: string | undefined;
  let slos: SloResult[] = [];
  let publication: PublishResult | undefined;
  const lock = await lockProject(options.projectDir, command, options.wait, report);
  // After the lock: time spent waiting for another run is not this run's duration.
  const startedAt = new Date();
  let outcome: RunOutcome;
  try {
    outcome = await runProject({
      ...projectOptions(options),
      command,
      threads: options.threads,
      fullRefresh: options.fullRefresh,
      failFast: options.failFast || undefined,
      openAdapter: options.openAdapter,
      onCompiled: (project) => {
        for (const error of project.warnings) report({ kind: 'warning', error });
        report({ kind: 'compiled', project });
        for (const message of project.parsed.logs) report({ kind: 'log', message });
      },
      onHook: (hook, result) => report({ kind: 'hook', hook, result }),
      onStart: (node, index, total) => report({ kind: 'node-start', node, index, total }),
      onEnd: (node, result, index, total) => report({ kind: 'node-end', node, result, index, total }),
      afterRun: async (outcome, adapter) => {
        slos = await recordAndMeasure(command, outcome, adapter, startedAt, origin, report, options.env);
        const failing = failingSlos(slos);
        if (failing.length) refused = 'E_SLO_BREACHED';
        // A seed run tests nothing, so it cannot make a publishable state; a test run can (mesh run, then mesh test).
        if (command === 'seed') return;
        // A broken contract is the graver refusal and is named first; failing SLOs come next.
        let contract: Contract | undefined;
        const gate: PublishGate = async (o, a) => {
          const { verdict, contract: gated } = await contractGate(o, a);
          contract = gated;
          return verdict.ok && failing.length ? { ok: false, ...sloRefusal(failing) } : verdict;
        };
        publication = await publish(outcome, adapter, gate);
        // The data the contract's servers name, for datacontract test: what was just published.
        if (publication?.published && contract) await exportContractData(outcome, adapter, contract);
        reportPublication(outcome.parsed.name, publication, report);
        if (publication?.published === false && publication.refused) refused = publication.refused.code;
      },
    });
  } catch (error) {
    await recordFailedRun(command, options.projectDir, startedAt, error, origin, report, options.env);
    throw error;
  } finally {
    lock.release();
  }
  return { command, outcome, slos, publication, refused, ok: !outcome.results.some(isFailure) && !refused };
}

function reportPublication(project: string, published: PublishResult | undefined, report: Reporter): void {
  if (!published) return;
  if (!published.published) {
    if (published.refused) {
      report({ kind: 'publish-refused', error: new MeshError(published.refused.code, `${project} was not published: ${published.reason}`, {
        details: published.refused.details, hint: published.refused.hint,
      }) });
    } else report({ kind: 'not-published', project, reason: published.reason });
    return;
  }
  if (published.nulledByDefault.length) {
    const columns = published.nulledByDefault.map((c) => `${c.model}.${c.column}`).join(', ');
    report({ kind: 'warning', error: new MeshError('W_PII_NULLED', `personal columns without a masking reach consumers as NULL: ${columns}`, {
      hint: 'Declare how each is masked (meta: {masking: hash} keeps it joinable), or grant it in clear (pii: clear under access.grants in data_product.yaml); the pii-not-exposed policy lists them with their lines (mesh policy check).',
    }) });
  }
  report({ kind: 'published', publication: published });
}

type Command<R> = (options: RunDomainOptions, report?: Reporter) => Promise<R>;

/** dbt's commands by name. */
export const run: Command<DomainRunResult> = (options, report) => runDomain('run', options, report);
export const build: Command<DomainRunResult> = (options, report) => runDomain('build', options, report);
export const test: Command<DomainRunResult> = (options, report) => runDomain('test', options, report);
export const seed: Command<DomainRunResult> = (options, report) => runDomain('seed', options, report);
export const snapshot: Command<DomainRunResult> = (options, report) => runDomain('snapshot', options, report);
