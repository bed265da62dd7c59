import type { GraphNode, NodeResult } from '@mesh/engine';

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

export function summaryLine(results: NodeResult[]): string {
  const count = (...s: NodeResult['status'][]) => results.filter((r) => s.includes(r.status)).length;
  return `Done. PASS=${count('success', 'pass')} WARN=${count('warn')} ERROR=${count('error', 'fail')} SKIP=${count('skipped')} TOTAL=${results.length}`;
}

export { clock };
