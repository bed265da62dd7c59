import { relative } from 'node:path';
import type { FreshnessResult, SourceNode } from '@mesh/engine';
import { sourceFreshness, type PipelineEvent } from '@mesh/pipeline';
import { openTargetAdapter, selection, type CommonFlags, type Output } from './commands';
import { printEvent } from './print-events';
import { clock } from './progress';

const WIDTH = 64;
const dots = (text: string) => (text.length >= WIDTH ? `${text} ` : `${text} ${'.'.repeat(WIDTH - text.length)} `);
const label = (node: SourceNode) => `freshness of ${node.source_name}.${node.name}`;

/** dbt's words for each outcome: a stale source past error_after is ERROR STALE. */
const VERB: Record<FreshnessResult['status'], string> = { pass: 'PASS', warn: 'WARN', error: 'ERROR STALE', 'runtime error': 'ERROR' };

function age(seconds: number): string {
  const units: Array<[number, string]> = [[86400, 'day'], [3600, 'hour'], [60, 'minute']];
  for (const [size, name] of units) {
    if (seconds >= size) {
      const n = Math.floor(seconds / size);
      return `${n.toLocaleString('en-US')} ${name}${n === 1 ? '' : 's'}`;
    }
  }
  return `${Math.max(0, Math.floor(seconds))} seconds`;
}

const period = (p: { count: number; period: string } | undefined) => (p ? `${p.count} ${p.period}${p.count === 1 ? '' : 's'}` : undefined);

function printFreshnessEvent(event: PipelineEvent, io: Output): void {
  switch (event.kind) {
    case 'freshness-unmeasured':
      for (const s of event.sources) {
        io.err(`warning[W_FRESHNESS_UNMEASURED] ${s.original_file_path}: source ${s.source_name}.${s.name} has a freshness but no loaded_at_field, so it is not checked\n  hint: Set loaded_at_field to the column that says when a row was loaded (or loaded_at_query).`);
      }
      return;
    case 'freshness-start':
      io.out(`${clock()}  ${dots(`${event.index} of ${event.total} START ${label(event.node)}`)}[RUN]`);
      return;
    case 'freshness-end': {
      const r = event.result;
      io.out(`${clock()}  ${dots(`${event.index} of ${event.total} ${VERB[r.status]} ${label(r.node)}`)}[${VERB[r.status]} in ${r.execution_time.toFixed(2)}s]`);
      return;
    }
    default:
      printEvent(event, io);
  }
}

/** `mesh source freshness`: dbt's command and exit code; an error (stale past error_after, or a failed query) exits 1. */
export async function freshnessCommand(flags: CommonFlags, io: Output): Promise<number> {
  const outcome = await sourceFreshness({ ...selection(flags), openAdapter: (target) => openTargetAdapter(target) }, (event) => printFreshnessEvent(event, io));
  const results = outcome.freshness;
  if (!results.length) io.out(`${clock()}  Nothing to do: no selected source has a freshness with warn_after or error_after.`);
  for (const r of results.filter((x) => x.status !== 'pass')) {
    const name = `${r.node.source_name}.${r.node.name}`;
    if (r.status === 'runtime error') {
      io.err(`error[E_FRESHNESS_QUERY] ${r.node.original_file_path}: (${r.node.unique_id}) the freshness query of source ${name} failed: ${r.error}\n  hint: Check loaded_at_field (${r.node.loaded_at_field ?? r.node.loaded_at_query}) names a timestamp or date column of the source.`);
      continue;
    }
    const limit = r.status === 'error' ? `error_after ${period(r.criteria.error_after)}` : `warn_after ${period(r.criteria.warn_after)}`;
    const newest = r.maxLoadedAt!.getUTCFullYear() === 1 ? 'no rows loaded' : `newest row loaded ${r.maxLoadedAt!.toISOString()}, ${age(r.ageSeconds!)} ago`;
    io.out(`${r.status === 'error' ? 'ERROR STALE' : 'WARN'} source ${name}: ${newest} (${limit})`);
  }
  const count = (...s: FreshnessResult['status'][]) => results.filter((r) => s.includes(r.status)).length;
  io.out(`${clock()}  Wrote ${relative(process.cwd(), outcome.targetDir) || '.'}/sources.json`);
  io.out(`Done. PASS=${count('pass')} WARN=${count('warn')} ERROR=${count('error', 'runtime error')} TOTAL=${results.length}`);
  return outcome.ok ? 0 : 1;
}
