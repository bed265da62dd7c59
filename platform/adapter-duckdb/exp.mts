import { DuckDBInstance } from '@duckdb/node-api';
const inst = await DuckDBInstance.create(':memory:');
const c = await inst.connect();
async function q(sql: string) { try { const r = await c.runAndReadAll(sql); console.log(JSON.stringify(r.getRowObjectsJS())); } catch (e) { console.log('ERR', (e as Error).message.split('\n').slice(0,3).join(' | ')); } }
await q(`SELECT * FROM read_csv('/tmp/ragged.csv', header=false, all_varchar=true) LIMIT 1`);
await q(`SELECT * FROM read_csv('/tmp/ragged.csv', header=false, all_varchar=true, delim=',', quote='"', escape='"', columns={'c0':'VARCHAR','c1':'VARCHAR','c2':'VARCHAR'}, store_rejects=true, skip=1)`);
await q(`SELECT line, column_idx, error_type, csv_line, error_message FROM reject_errors`);
await q(`CREATE TABLE t (code text, label text, weight integer)`);
await q(`COPY t FROM '/tmp/ragged.csv' (FORMAT CSV, HEADER TRUE, DELIMITER ',')`);
await q(`SELECT * FROM read_csv('/tmp/quote.csv', header=false, all_varchar=true, delim=',', quote='"', escape='"', columns={'c0':'VARCHAR','c1':'VARCHAR'}, store_rejects=true, skip=1)`);
await q(`SELECT line, column_idx, error_type, csv_line, error_message FROM reject_errors`);
await q(`SELECT try_strptime('2024-1-5', '%Y-%m-%d') a, try_strptime('2024-02-30', '%Y-%m-%d') b, '1,000'::varchar c`);
await q(`CREATE TABLE t2 (a integer); COPY t2 FROM (SELECT 1) `);
await q(`CREATE TABLE t3 (a integer, b integer); COPY t3 FROM '/tmp/h.csv' (FORMAT CSV, HEADER TRUE, DELIMITER ',')`);
