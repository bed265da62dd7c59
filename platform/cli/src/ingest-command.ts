import type { FileEvent, IngestReport } from '@mesh/ingest';
import { ingest } from '@mesh/pipeline';
import { openTargetAdapter, runOrigin, type Output } from './commands';
import { printEvent } from './print-events';

export interface IngestFlags {
  projectDir: string;
  source?: string[];
  target?: string;
  fullRefresh?: boolean;
  wait?: boolean;
}

/** `mesh ingest`: loads the new and changed files of the domain's sources into its database. */
export async function ingestCommand(flags: IngestFlags, io: Output): Promise<number> {
  const { report, ok } = await ingest({
    projectDir: flags.projectDir,
    sources: flags.source,
    target: flags.target,
    fullRefresh: flags.fullRefresh,
    wait: flags.wait,
    origin: runOrigin(),
    openAdapter: (target) => openTargetAdapter(target),
  }, (event) => printEvent(event, io));
  io.out(ingestSummary(report));
  return ok ? 0 : 1;
}

export function ingestSummary(report: IngestReport): string {
  const n = (o: FileEvent['outcome']) => report.files.filter((f) => f.outcome === o).length;
  const rows = report.files.reduce((sum, f) => sum + f.rows, 0);
  return `Done. LOADED=${n('loaded')} REPLACED=${n('replaced')} UNCHANGED=${n('unchanged')} ERROR=${n('failed')} ROWS=${rows}`;
}
