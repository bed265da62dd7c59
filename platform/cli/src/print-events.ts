import { relative } from 'node:path';
import { formatError } from '@mesh/errors';
import type { FileEvent } from '@mesh/ingest';
import type { PipelineEvent } from '@mesh/pipeline';
import type { Output } from './commands';
import { clock, endLine, hookLine, startLine } from './progress';
import { sloLines } from './slo-table';

/** A warning as dbt prints one: the error's format with its first word changed. */
export function warningText(error: unknown): string {
  return formatError(error).replace(/^error/, 'warning');
}

/**
 * The pipeline's events as the CLI's log lines. `compiled` is the command's own business (its header
 * names the command and the target), so it is left to the caller.
 */
export function printEvent(event: PipelineEvent, io: Output): void {
  switch (event.kind) {
    case 'warning':
      io.err(warningText(event.error));
      return;
    case 'error':
      io.err(formatError(event.error));
      return;
    case 'lock-wait':
      io.err(`${clock()}  Waiting for the ${event.holder.command} of pid ${event.holder.pid} (started ${event.holder.startedAt}) to finish...`);
      return;
    case 'lock-stale':
      io.err(`note: took over the lock of ${event.holder.command} pid ${event.holder.pid} (started ${event.holder.startedAt}), which no longer runs`);
      return;
    case 'operation-start':
      io.out(`${clock()}  Running with the macro ${event.macro}`);
      return;
    case 'log':
      io.out(`${clock()}  ${event.message}`);
      return;
    case 'hook':
      io.out(hookLine(event.hook, event.result));
      return;
    case 'node-start':
      io.out(startLine(event.node, event.index, event.total));
      return;
    case 'node-end':
      io.out(endLine(event.node, event.result, event.index, event.total));
      return;
    case 'slos': {
      const [line, table] = sloLines(event.results, event.unmeasured);
      io.out(`${clock()}  ${line}`);
      if (table) io.out(table);
      return;
    }
    case 'publish-refused':
      io.err(formatError(event.error));
      return;
    case 'not-published':
      io.err(`warning: ${event.project} was not published: ${event.reason}`);
      return;
    case 'published': {
      const p = event.publication;
      if (p.current) {
        io.out(`${clock()}  Publication ${p.version} in ${relative(process.cwd(), p.directory) || '.'} is current: the database holds what it publishes`);
      } else {
        const rows = p.models.reduce((sum, m) => sum + m.rows, 0);
        const shares = p.shares.length ? `, shared with ${p.shares.map((s) => `${s.consumer} (${s.models} model${s.models === 1 ? '' : 's'})`).join(', ')}` : '';
        io.out(`${clock()}  Published ${p.models.length} public model${p.models.length === 1 ? '' : 's'} (${rows.toLocaleString('en-US')} rows) to ${relative(process.cwd(), p.directory)} as version ${p.version}${shares}`);
      }
      return;
    }
    case 'alert-sent':
      io.out(`${clock()}  Alert ${event.event} sent to ${event.host}${event.attempts > 1 ? ` (attempt ${event.attempts})` : ''}`);
      return;
    case 'ingest-start':
      io.out(`${clock()}  Ingesting ${event.sources} source${event.sources === 1 ? '' : 's'} of ${event.project} into ${relative(process.cwd(), event.path) || event.path}${event.fullRefresh ? ' (full refresh: tables dropped, every file loaded)' : ''}`);
      return;
    case 'ingest-file':
      io.out(fileLine(event.file, event.root));
      return;
    // The freshness command prints these in its own words.
    case 'freshness-unmeasured':
    case 'freshness-start':
    case 'freshness-end':
    case 'compiled':
      return;
  }
}

const LABEL: Record<FileEvent['outcome'], string> = { loaded: 'OK', replaced: 'REPLACED', unchanged: 'UNCHANGED', failed: 'ERROR' };

function fileLine(e: FileEvent, root: string): string {
  const detail = e.outcome === 'failed' ? '' : e.outcome === 'unchanged' ? ' (same checksum)' : ` ${e.rows.toLocaleString('en-US')} rows${e.replacedRows ? ` (replacing ${e.replacedRows.toLocaleString('en-US')})` : ''} in ${e.elapsedS.toFixed(2)}s`;
  const notes = e.notes.length ? `; ${e.notes.join('; ')}` : '';
  return `${clock()}  ${LABEL[e.outcome].padEnd(9)} ${e.source} -> ${e.target}  ${relative(root, e.file) || e.file}${detail}${notes}`;
}
