import { copyFileSync, cpSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { compareDatabases, copyProject, differential, formatComparison, requireOracle, type CompareOptions, type Differential } from '@mesh/oracle';
import { queryDb } from '@mesh/testing';

/**
 * Snapshots judged by dbt itself over four rounds of changing data: the same project is built by dbt-core +
 * dbt-duckdb and by `mesh build`, each in its own folder, the seeds edited between rounds in both.
 * Every relation is compared row for row after every round, snapshot history included. Where dbt stamps
 * the run time (the check strategy's valid_from, a deleted row's valid_to), the stamp becomes the rank of
 * its run among the table's stamps, and a stamped dbt_scd_id is checked to be the hash dbt makes of the
 * row's key and stamp.
 */

const FIXTURE = fileURLToPath(new URL('./__fixtures__/dbt-snapshots', import.meta.url));

/** A run-time stamp becomes `run <n>`, its rank among the stamps of that column; other values stay. */
function stamped(column: string): string {
  const recent = `${column} between now()::timestamp - interval 1 day and now()::timestamp + interval 1 day`;
  return `case when ${recent} then 'run ' || dense_rank() over (partition by ${recent} order by ${column}) else cast(${column} as varchar) end`;
}

/** True where the row's scd id is dbt's hash of its key and its updated-at stamp. */
function scdIsHash(scd: string, keys: string[], updatedAt: string): string {
  const hash = `md5(${[...keys, updatedAt].map((k) => `coalesce(cast(${k} as varchar), '')`).join(` || '|' || `)})`;
  return `cast(${scd} = ${hash} as varchar)`;
}

const COMPARE: CompareOptions = {
  normalise: {
    'history.orders_timestamp': { dbt_valid_to: stamped('dbt_valid_to') },
    'history.orders_check': {
      dbt_updated_at: stamped('dbt_updated_at'),
      dbt_valid_from: stamped('dbt_valid_from'),
      dbt_valid_to: stamped('dbt_valid_to'),
      // A deletion record's id hashes the closed version's id and the run time, as dbt's does.
      dbt_scd_id: `case when dbt_is_deleted = 'True' then 'deletion' else ${scdIsHash('dbt_scd_id', ['id', 'region'], 'dbt_updated_at')} end`,
    },
    'history.orders_check_all': {
      stamped_at: stamped('stamped_at'),
      valid_from: stamped('valid_from'),
      valid_to: stamped('valid_to'),
      version_id: scdIsHash('version_id', ['id'], 'stamped_at'),
    },
    'main.current_orders': { first_seen: stamped('first_seen') },
  },
};

function expectSame(d: Differential, round: string): void {
  const report = `round ${round}\n${d.report()}`;
  expect(d.dbt.run.code, report).toBe(d.mesh.run.code);
  expect(d.nodesOnlyDbt, report).toEqual([]);
  expect(d.nodesOnlyMesh, report).toEqual([]);
  expect(d.statusDifferences, report).toEqual([]);
  expect(d.relations.compared.map((r) => r.relation), report).toEqual(expect.arrayContaining([
    'history.customers_history', 'history.orders_check', 'history.orders_check_all', 'history.orders_timestamp', 'main.current_orders', 'main_snaps.orders_by_schema',
  ]));
  expect(d.relations.equal, report).toBe(true);
}

function nextRound(dirs: { dbt: string; mesh: string }, round: string): void {
  for (const dir of [dirs.dbt, dirs.mesh]) {
    for (const seed of ['raw_orders', 'raw_customers']) copyFileSync(join(dir, 'rounds', round, `${seed}.csv`), join(dir, 'seeds', `${seed}.csv`));
  }
}

describe('snapshots built by dbt-core and by mesh keep the same history', () => {
  it('over three rounds of changed, new, vanished and returning rows, and a fourth that fails mid-run and changes nothing', async () => {
    requireOracle();
    const dirs = { dbt: copyProject(FIXTURE, 'dbt'), mesh: copyProject(FIXTURE, 'mesh') };
    const first = await differential(FIXTURE, { dirs, compare: COMPARE });
    expectSame(first, '1');
    expect(first.mesh.statuses.get('snapshot.snapshots.orders_timestamp')).toBe('success');
    expect(first.relations.compared.find((r) => r.relation === 'history.orders_check')?.rows).toBe(4);

    nextRound(dirs, '2');
    expectSame(await differential(FIXTURE, { dirs, compare: COMPARE }), '2');
    nextRound(dirs, '3');
    // The staged customers gain a column: the history gains it too, null in the versions before it.
    for (const dir of [dirs.dbt, dirs.mesh]) {
      const file = join(dir, 'models', 'stg_customers.sql');
      writeFileSync(file, readFileSync(file, 'utf8').replace('changed_at from', "changed_at, lower(name) || '@example.com' as email from"));
    }
    const third = await differential(FIXTURE, { dirs, compare: COMPARE });
    expectSame(third, '3');
    // Order 1 has three versions, order 3 was invalidated and came back, order 5 came and went; customer 2
    // was never closed (hard deletes ignored) and its return is a change.
    const rows = (id: string) => third.relations.compared.find((r) => r.relation === id)?.rows;
    expect([rows('history.orders_timestamp'), rows('history.orders_check'), rows('history.orders_check_all'), rows('history.customers_history')]).toEqual([9, 13, 9, 7]);
    // Only the versions written since the column came have it (Bob's and Cy's), in both histories.
    expect(await queryDb(third.mesh.database, 'select id from history.customers_history where email is not null order by id')).toEqual([{ id: 2 }, { id: 3 }]);

    // Round 4: keep round 3's history aside, then break the timestamp snapshot's query for one row.
    const kept = mkdtempSync(join(tmpdir(), 'snapshot-round3-'));
    cpSync(join(dirs.mesh, 'target', 'snapshots.duckdb'), join(kept, 'snapshots.duckdb'));
    nextRound(dirs, '4');
    for (const dir of [dirs.dbt, dirs.mesh]) {
      const file = join(dir, 'snapshots', 'orders.sql');
      writeFileSync(file, readFileSync(file, 'utf8').replace(
        'select id, region, status, amount, updated_at',
        "select id, region, status, case when id = 1 then 'n/a' else cast(amount as varchar) end as amount, updated_at",
      ));
    }
    const fourth = await differential(FIXTURE, { dirs, compare: COMPARE });
    expectSame(fourth, '4');
    expect(fourth.mesh.run.code).toBe(1);
    expect(fourth.mesh.statuses.get('snapshot.snapshots.orders_timestamp')).toBe('error');
    expect(fourth.mesh.run.output).toContain("Could not convert string 'n/a'");
    // The failed run had closed order 1's version before its insert failed; the rollback undid that too.
    const before = await compareDatabases(join(kept, 'snapshots.duckdb'), fourth.mesh.database);
    expect(before.compared.find((r) => r.relation === 'history.orders_timestamp')).toEqual({ relation: 'history.orders_timestamp', rows: 9, equal: true });
    expect(before.differences.filter((r) => r.relation.startsWith('history.orders_timestamp')), formatComparison(before, ['round 3', 'round 4'])).toEqual([]);
  }, 300_000);
});
