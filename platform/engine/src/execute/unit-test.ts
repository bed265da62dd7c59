import { MeshError } from '@mesh/errors';
import { quoteIdent, quoteString } from '../compile/relations';
import type { UnitTestFixture, UnitTestPlan } from '../compile/unit-test-sql';
import type { UnitTestNode, UnitTestRows } from '../types';
import type { AdapterSession, ColumnInfo } from './adapter';
import { pairDifferences, renderUnitTestDiff, type UnitTestDiff } from './unit-test-diff';

/** Rows of a difference fetched to show; the count covers them all. */
const SHOWN = 200;

function literal(value: unknown): string {
  if (value === null || value === undefined) return 'null';
  if (typeof value === 'number' || typeof value === 'bigint') return String(value);
  if (typeof value === 'boolean') return value ? 'true' : 'false';
  if (typeof value === 'string') return quoteString(value);
  return quoteString(JSON.stringify(value));
}

/** One `select` per row, each column cast to its type, columns the row leaves out null: dbt's fixture SQL. */
function rowsSql(rows: Array<Record<string, unknown>>, columns: ColumnInfo[], what: string, where: { file: string; line?: number; lines?: number[] }): string {
  const byName = new Map(columns.map((c) => [c.name.toLowerCase(), c]));
  const select = (row: Record<string, unknown>, i: number) => {
    const values = new Map<string, unknown>();
    for (const [key, value] of Object.entries(row)) {
      if (!byName.has(key.toLowerCase())) {
        throw new MeshError('E_UNIT_TEST_ROWS', `invalid column name '${key.toLowerCase()}' in unit test fixture for ${what}`, {
          location: { file: where.file, line: where.lines?.[i] || where.line },
          hint: `Accepted columns for ${what} are: ${columns.map((c) => c.name).join(', ')}.`,
        });
      }
      values.set(key.toLowerCase(), value);
    }
    return `select ${columns.map((c) => `cast(${literal(values.get(c.name.toLowerCase()))} as ${c.type}) as ${quoteIdent(c.name)}`).join(', ')}`;
  };
  if (!rows.length) return `${select({}, -1)} limit 0`;
  return rows.map(select).join('\nunion all\n');
}

async function inputSql(fixture: UnitTestFixture, session: AdapterSession, node: UnitTestNode): Promise<string> {
  const rows: UnitTestRows = fixture.rows;
  if (rows.format === 'sql') return rows.sql;
  if (rows.format === 'seed') return `select * from ${fixture.relation}`;
  let columns: ColumnInfo[];
  try {
    columns = await session.describe(`select * from ${fixture.relation}`);
  } catch (error) {
    throw new MeshError('E_UNIT_TEST_INPUT', `not able to get columns for unit test '${node.name}' from relation ${fixture.relation} because the relation doesn't exist`, {
      location: { file: node.original_file_path, line: fixture.line },
      hint: `Build ${fixture.name} first (mesh build runs a unit test after the model's inputs), or give the input as format: sql.`,
      details: error instanceof Error ? error.message.split('\n')[0] : undefined,
    });
  }
  return rowsSql(rows.rows, columns, `'${fixture.name}'`, { file: node.original_file_path, line: fixture.line, lines: rows.lines });
}

export interface UnitTestOutcome {
  status: 'pass' | 'fail';
  message: string;
  failures: number;
  diff?: UnitTestDiff;
  compiled: string;
}

/**
 * Runs a unit test as dbt does: each input's rows typed by the real relation's columns, the model's SQL
 * over them, the expected rows typed by the model's output, and the two compared as multisets in the
 * database (EXCEPT ALL both ways). Only the differing rows come back, to show as a table.
 */
export async function runUnitTest(node: UnitTestNode, plan: UnitTestPlan, session: AdapterSession): Promise<UnitTestOutcome> {
  const ctes: string[] = [];
  for (const fixture of plan.inputs) ctes.push(`${quoteIdent(fixture.cte)} as (\n${await inputSql(fixture, session, node)}\n)`);
  const withFixtures = (sql: string) => (ctes.length ? `with ${ctes.join(',\n')}\n${sql}` : sql);
  const actualColumns = await session.describe(withFixtures(`select * from (\n${plan.sql}\n) as __mesh_model`));
  const where = { file: node.original_file_path, line: node.expect.line };

  const expect = node.expect;
  let columns: ColumnInfo[];
  let expectedSql: string;
  if (expect.format === 'sql') {
    columns = actualColumns;
    expectedSql = expect.sql;
  } else {
    const rows = expect.format === 'seed' ? [] : expect.rows;
    const byName = new Map(actualColumns.map((c) => [c.name.toLowerCase(), c]));
    if (rows.length) {
      columns = Object.keys(rows[0]!).map((key) => {
        const column = byName.get(key.toLowerCase());
        if (!column) {
          throw new MeshError('E_UNIT_TEST_ROWS', `invalid column name '${key.toLowerCase()}' in unit test fixture for expected output`, {
            location: { file: where.file, line: (expect.format === 'dict' ? expect.lines?.[0] : undefined) || where.line },
            hint: `Accepted columns for expected output are: ${actualColumns.map((c) => c.name).join(', ')}.`,
          });
        }
        return column;
      });
      expectedSql = rowsSql(rows.map((r) => Object.fromEntries(Object.entries(r).filter(([k]) => columns.some((c) => c.name.toLowerCase() === k.toLowerCase())))), columns, 'expected output', { ...where, lines: expect.format === 'dict' ? expect.lines : undefined });
    } else {
      columns = actualColumns;
      expectedSql = `select * from (\n${plan.sql}\n) as __mesh_model where false`;
    }
  }
  const list = columns.map((c) => quoteIdent(c.name)).join(', ');
  const shown = columns.map((c) => `cast(${quoteIdent(c.name)} as varchar) as ${quoteIdent(c.name)}`).join(', ');
  const compiled = withFixtures(`select ${list} from (\n${plan.sql}\n) as __mesh_model`);
  const sql = [
    `with ${[
      ...ctes,
      `__mesh_actual as (select ${list} from (\n${plan.sql}\n) as __mesh_model)`,
      `__mesh_expected as (select ${list} from (\n${expectedSql}\n) as __mesh_expected_rows)`,
      '__mesh_only_actual as (select * from __mesh_actual except all select * from __mesh_expected)',
      '__mesh_only_expected as (select * from __mesh_expected except all select * from __mesh_actual)',
      '__mesh_differing as (select count(*) as n from (select * from __mesh_only_actual union all select * from __mesh_only_expected))',
    ].join(',\n')}`,
    // The rows on both sides come along only when some differ: they are the context of the table shown.
    'select * from (',
    `  (select 'actual' as __mesh_side, ${shown} from __mesh_only_actual limit ${SHOWN + 1})`,
    `  union all (select 'expected' as __mesh_side, ${shown} from __mesh_only_expected limit ${SHOWN + 1})`,
    `  union all (select 'both' as __mesh_side, ${shown} from (select * from __mesh_actual intersect all select * from __mesh_expected) where (select n from __mesh_differing) > 0 limit ${SHOWN})`,
    `) as __mesh_diff`,
  ].join('\n');
  const rows = await session.query(sql);
  const names = columns.map((c) => c.name);
  const side = (s: string) => rows.filter((r) => r.__mesh_side === s).map((r) => names.map((n) => (r[n] === null || r[n] === undefined ? null : String(r[n]))));
  const [expected, actual] = [side('expected'), side('actual')];
  if (!expected.length && !actual.length) return { status: 'pass', message: 'pass', failures: 0, compiled };
  const diff = pairDifferences(names, expected, actual, side('both'), expected.length > SHOWN || actual.length > SHOWN);
  return { status: 'fail', message: `actual differs from expected:\n\n${renderUnitTestDiff(diff)}`, failures: 1, diff, compiled };
}
