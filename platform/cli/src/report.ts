import { formatError, MeshError } from '@mesh/errors';
import { renderUnitTestDiff, type Dag, type NodeResult } from '@mesh/engine';
import { formatTable } from '@mesh/text-table';

/** The "what went wrong" section after a run: every error and failing test with its file and fix. */
export function failureReport(results: NodeResult[], dag: Dag): string {
  const out: string[] = [];
  for (const result of results) {
    if (result.status !== 'error' && result.status !== 'fail' && result.status !== 'warn') continue;
    const node = dag.nodes.get(result.unique_id)!;
    if (result.status === 'error') {
      const e = result.error;
      out.push(formatError(new MeshError(e?.code ?? 'E_SQL', result.message, {
        location: { file: e?.file ?? node.original_file_path, line: e?.line, column: e?.column },
        node: node.unique_id,
        hint: e?.hint,
        details: e?.details,
      })));
    } else if (node.resource_type === 'unit_test') {
      // dbt's words and daff's table: the rows the model returned against the rows the test expects.
      out.push(`Failure in ${node.unique_id} (${node.original_file_path})\n\n  actual differs from expected:\n\n${result.diff ? renderUnitTestDiff(result.diff).replace(/^/gm, '  ') : `  ${result.message}`}`);
    } else {
      const label = result.status === 'warn' ? 'Warning' : 'Failure';
      const threshold = node.resource_type === 'test' ? (result.status === 'warn' ? node.config.warn_if : node.config.error_if) : '!=0';
      out.push(`${label} in ${node.unique_id} (${node.original_file_path})\n  Got ${result.failures} failing row${result.failures === 1 ? '' : 's'}, configured to ${result.status === 'warn' ? 'warn' : 'fail'} if ${threshold.replace(/^(!=|==|>=|<=|<>|[<>=])\s*/, '$1 ')}`);
      if (node.resource_type === 'test' && node.config.store_failures) out.push(`  failing rows stored in "${node.config.schema}"."${node.name}"`);
      if (result.failingRows?.length) {
        const columns = Object.keys(result.failingRows[0]!);
        out.push(formatTable(columns, result.failingRows).replace(/^/gm, '  '));
      }
      if (result.compiled_code) out.push('  compiled SQL: see target/compiled/');
    }
  }
  return out.join('\n\n');
}
