import type { GraphNode, HookSql, NodeResult } from '@mesh/engine';

const WIDTH = 64;
const clock = () => new Date().toISOString().slice(11, 19);

function describe(node: GraphNode): string {
  if (node.resource_type === 'test') return `test ${node.name}`;
  if (node.resource_type === 'seed') return `seed file ${node.schema}.${node.alias}`;
  if (node.resource_type === 'snapshot') return `snapshot ${node.schema}.${node.alias}`;
  if (node.resource_type === 'unit_test') return `unit_test ${node.model}::${node.name}`;
  if (node.resource_type === 'model') return `${node.config.materialized} model ${node.schema}.${node.alias}`;
  return node.unique_id;
}

function dots(text: string): string {
  return text.length >= WIDTH ? `${text} ` : `${text} ${'.'.repeat(WIDTH - text.length)} `;
}

export function startLine(node: GraphNode, index: number, total: number): string {
  return `${clock()}  ${dots(`${index} of ${total} START ${describe(node)}`)}[RUN]`;
}

export function endLine(node: GraphNode, result: NodeResult, index: number, total: number): string {
  const time = `in ${result.execution_time.toFixed(2)}s`;
  const label: Record<NodeResult['status'], string> = {
    success: 'OK', pass: 'PASS', error: 'ERROR', fail: 'FAIL', warn: 'WARN', skipped: 'SKIP',
  };
  const verb = result.status === 'skipped' ? 'SKIP' : label[result.status];
  const tail = result.status === 'success'
    ? `[${result.message} ${time}]`
    : result.status === 'skipped' ? '[SKIP]'
    : result.status === 'error' ? `[ERROR ${time}]`
    : `[${label[result.status]}${result.failures ? ` ${result.failures}` : ''} ${time}]`;
  return `${clock()}  ${dots(`${index} of ${total} ${verb} ${describe(node)}`)}${tail}`;
}

/** An on-run-start or on-run-end hook, as dbt prints it: `hook: shop.on-run-start.0`. */
export function hookLine(hook: HookSql, result?: NodeResult): string {
  const name = `hook: ${hook.id.replace(/^operation\.[^.]+\./, '').replace(/^([^-]+)-(on-run-(?:start|end))-(\d+)$/, '$1.$2.$3')}`;
  if (!result) return `${clock()}  ${dots(`START ${name}`)}[RUN]`;
  return `${clock()}  ${dots(`${result.status === 'success' ? 'OK' : 'ERROR'} ${name}`)}[${result.status === 'success' ? 'OK' : 'ERROR'} in ${result.execution_time.toFixed(2)}s]`;
}

/**
 * dbt's last line. A publication that was refused (a broken contract, a failed SLO) counts as an error
 * and is named: the nodes may all have passed, but the build did not deliver.
 */
export function summaryLine(results: NodeResult[], refused?: string): string {
  const count = (...s: NodeResult['status'][]) => results.filter((r) => s.includes(r.status)).length;
  const errors = count('error', 'fail') + (refused ? 1 : 0);
  return `Done. PASS=${count('success', 'pass')} WARN=${count('warn')} ERROR=${errors} SKIP=${count('skipped')} TOTAL=${results.length}${refused ? ` (not published: ${refused})` : ''}`;
}

export { clock };
