import type { UnitTestDiff } from './unit-test-diff';

export type NodeStatus = 'success' | 'error' | 'skipped' | 'pass' | 'fail' | 'warn';

export interface NodeResult {
  unique_id: string;
  status: NodeStatus;
  /** What happened, in a line: `CREATE TABLE (1,204 rows)`, the database error, `3 failing rows`. */
  message: string;
  rows?: number;
  /** Failing rows counted by a test. */
  failures?: number;
  /** The first failing rows of a test, shown to the user. */
  failingRows?: Array<Record<string, unknown>>;
  /** A failing unit test's differing rows, expected against actual. */
  diff?: UnitTestDiff;
  execution_time: number;
  started_at: string;
  completed_at: string;
  thread_id: string;
  compiled_code?: string;
  relation_name?: string;
  /** A MeshError's code and hint when the node failed on something the user can fix. */
  error?: { code: string; hint?: string; details?: string; file?: string; line?: number; column?: number };
}

export function isFailure(result: NodeResult): boolean {
  return result.status === 'error' || result.status === 'fail';
}
