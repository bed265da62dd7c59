import { sourceFreshness as measureSources, type FreshnessOutcome } from '@mesh/engine';
import { silent, type Reporter } from './events';
import { projectOptions, type OpenAdapter, type ProjectSelection } from './options';

export interface FreshnessOptions extends ProjectSelection {
  openAdapter: OpenAdapter;
}

/**
 * `mesh source freshness`, as dbt's: the newest loaded_at of each selected source with a freshness,
 * judged against warn_after and error_after, written to target/sources.json. It changes nothing, so it
 * takes no lock and records no run.
 */
export async function sourceFreshness(options: FreshnessOptions, report: Reporter = silent): Promise<FreshnessOutcome & { ok: boolean }> {
  const outcome = await measureSources({
    ...projectOptions(options),
    openAdapter: (target) => options.openAdapter(target),
    onUnmeasurable: (sources) => report({ kind: 'freshness-unmeasured', sources }),
    onStart: (node, index, total) => report({ kind: 'freshness-start', node, index, total }),
    onEnd: (result, index, total) => report({ kind: 'freshness-end', result, index, total }),
  });
  for (const error of outcome.warnings) report({ kind: 'warning', error });
  return { ...outcome, ok: !outcome.freshness.some((r) => r.status === 'error' || r.status === 'runtime error') };
}
