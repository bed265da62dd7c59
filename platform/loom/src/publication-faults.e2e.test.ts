import { appendFileSync, existsSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { parsePublishedManifest, publicationFacts } from './published-manifest';
import { copyDomains, killHard, makeUnwritable, meshIngested, meshWithEnv, publicationOf, publishedFile, queryDb, resume, smallDisk, stoppedAt, teddySmallCopy } from '@mesh/testing';

/**
 * The reported faults of publication, reproduced as they were found: a half-built state published after
 * a kill, and a publication torn by a folder made unwritable mid-way, and a full disk. Real builds,
 * real kill -9 (at exact points: the build stops itself at a named failpoint and is killed there).
 */

function workspace(label: string): { root: string; raw: string; env: Record<string, string> } {
  const root = copyDomains(['inventory', 'sales'], label);
  const raw = teddySmallCopy(`${label}-raw`);
  return { root, raw, env: { TEDDY_RAW_DIR: raw } };
}

/** Inventory and sales ingested, built and published on the small data set. */
function built(label: string): ReturnType<typeof workspace> & { sales: string } {
  const w = workspace(label);
  for (const d of ['inventory', 'sales']) expect(meshIngested(join(w.root, d), w.env, 'build').code).toBe(0);
  return { ...w, sales: join(w.root, 'sales') };
}

/** The new raw data loaded into bronze, as the scheduled run does before it builds. */
const ingest = (dir: string, env: Record<string, string>) => expect(meshWithEnv(dir, env, 'ingest').code).toBe(0);

const undo: Array<() => void> = [];
afterEach(() => {
  for (const u of undo.splice(0).reverse()) u();
});

/** One more order line, for the cancelled order 103 of customer 2: order_summary and customer_summary both change. */
const changeRawData = (raw: string) => appendFileSync(join(raw, 'sales', 'order_products_2026.csv'), '5,103,3,2\n');

async function sharedRows(sales: string) {
  return {
    orders: await queryDb(publishedFile(sales, 'shares/analysts.duckdb'), 'select order_id, total_value from gold.order_summary order by 1'),
    customers: await queryDb(publishedFile(sales, 'shares/analysts.duckdb'), 'select customer_id, customer_tlv from gold.customer_summary order by 1'),
  };
}

describe('fault 3: a half-built state is never published', () => {
  it('kill -9 after gold.order_summary is built, then mesh run -s on nothing, leaves the last publication as it was', async () => {
    const { root, raw, env, sales } = built('fault3');
    const before = publicationOf(sales)!;
    const rowsBefore = await sharedRows(sales);
    expect(rowsBefore.orders).toHaveLength(4);

    changeRawData(raw);
    ingest(sales, env);
    const killed = await stoppedAt(sales, env, 'built:model.sales.order_summary', 'build');
    await killHard(killed);
    // The database now holds the new order_summary (its tests never ran) beside the old customer_summary.
    expect(await queryDb(join(sales, 'target', 'sales.duckdb'), 'select count(*) as n from gold.order_summary')).toEqual([{ n: 5 }]);

    const r = meshWithEnv(sales, env, 'run', '-s', 'some_model_that_does_not_exist');
    expect(r.code, r.output).toBe(0);
    expect(r.stderr).toContain('warning: sales was not published: the database does not hold a state that was built and tested together');
    expect(r.stderr).toMatch(/order_summary|customer_summary/);
    expect(publicationOf(sales)!.manifestText).toBe(before.manifestText);
    expect(await sharedRows(sales)).toEqual(rowsBefore);

    // A run without tests does not make the state fit either; the tests that follow do.
    const run = meshWithEnv(sales, env, 'run');
    expect(run.code, run.output).toBe(0);
    expect(run.stderr).toMatch(/not_null_order_summary_customer_id has not run since order_summary changed|has not run since/);
    expect(publicationOf(sales)!.manifestText).toBe(before.manifestText);
    const test = meshWithEnv(sales, env, 'test');
    expect(test.code, test.output).toBe(0);
    expect(test.stdout).toContain('Published 3 public models');
    const after = await sharedRows(sales);
    expect(after.orders).toHaveLength(5);
    // order 103 (customer 2) now counts: both summaries come from the same data.
    const total = (after.orders as Array<{ total_value: number }>).reduce((s, o) => s + o.total_value, 0);
    expect((after.customers as Array<{ customer_tlv: number }>).reduce((s, c) => s + c.customer_tlv, 0)).toBe(total);
  }, 120_000);

  it('a killed build whose relation was left dirty blocks publication until it is built again', async () => {
    const { root, raw, env, sales } = built('fault3-dirty');
    const before = publicationOf(sales)!;
    changeRawData(raw);
    ingest(sales, env);
    // Killed after the database committed customer_summary and before the journal recorded it.
    await killHard(await stoppedAt(sales, env, 'committed:model.sales.customer_summary', 'build'));
    const r = meshWithEnv(sales, env, 'build', '-s', 'order_summary');
    expect(r.code, r.output).toBe(0);
    expect(r.stderr).toContain('customer_summary was being built when a run stopped; its content is unknown');
    expect(publicationOf(sales)!.manifestText).toBe(before.manifestText);
    const full = meshWithEnv(sales, env, 'build');
    expect(full.code, full.output).toBe(0);
    expect(full.stdout).toMatch(/Published 3 public models .* as version/);
  }, 120_000);
});

describe('data loaded by mesh ingest counts as a change', () => {
  it('models rebuilt on newly ingested rows are not published before the tests on the views they read ran on those rows', () => {
    const { raw, env, sales } = built('ingested');
    const before = publicationOf(sales)!;
    changeRawData(raw);
    ingest(sales, env);
    // Everything downstream of the order lines rebuilt and tested, but not the test on the bronze view they
    // are read through: that view reads the newly loaded rows, which no test has seen.
    const one = meshWithEnv(sales, env, 'build', '-s', 'stg_order_products+');
    expect(one.code, one.output).toBe(0);
    expect(one.stderr).toContain('warning: sales was not published: the database does not hold a state that was built and tested together');
    expect(one.stderr).toMatch(/relationships_raw_order_products_order_id\w* has not run since raw_order_products changed/);
    expect(publicationOf(sales)!.manifestText).toBe(before.manifestText);
    const all = meshWithEnv(sales, env, 'build');
    expect(all.code, all.output).toBe(0);
    expect(all.stdout).toMatch(/Published 3 public models/);
  }, 120_000);
});

describe('fault 4: a publication appears whole or not at all', () => {
  it('target/published made immutable (chattr +i) mid-way: the build fails typed, consumers keep the old publication whole', async () => {
    const { root, raw, env, sales } = built('fault4');
    const before = publicationOf(sales)!;
    const rowsBefore = await sharedRows(sales);
    changeRawData(raw);
    ingest(sales, env);

    // Stopped after the first share of the new version was written, the second not yet.
    const proc = await stoppedAt(sales, env, 'publish:wrote:shares/analysts.duckdb', 'build');
    const published = join(sales, 'target', 'published');
    undo.push(makeUnwritable(published));
    resume(proc);
    const r = await proc.exited;
    expect(r.code, r.output).toBe(2);
    expect(r.stderr).toMatch(/error\[E_FS_PERMISSION\] cannot (write|replace) the published manifest: operation not permitted \(EPERM\)/);
    expect(r.stderr).toContain('chattr -i');
    expect(r.stderr).not.toMatch(/\n\s+at /); // no stack trace
    const now = publicationOf(sales)!;
    expect(now.manifestText).toBe(before.manifestText);
    expect(now.versions).toEqual(before.versions);
    expect(await sharedRows(sales)).toEqual(rowsBefore);

    undo.pop()!();
    const again = meshWithEnv(sales, env, 'build');
    expect(again.code, again.output).toBe(0);
    expect((await sharedRows(sales)).orders).toHaveLength(5);
    expect(readdirSync(join(published, 'versions')).filter((v) => v.startsWith('.'))).toEqual([]);
  }, 120_000);

  it('a full disk under target/published (ENOSPC) fails typed and leaves the old publication whole', async () => {
    const { root, raw, env } = workspace('fault4-enospc');
    const sales = join(root, 'sales');
    expect(meshIngested(join(root, 'inventory'), env, 'build').code).toBe(0);
    // Room for one publication of sales and a half: the next one runs out mid-way.
    expect(meshIngested(sales, env, 'build').code).toBe(0);
    const published = join(sales, 'target', 'published');
    const { publication } = publicationFacts(parsePublishedManifest(readFileSync(join(published, 'manifest.json'), 'utf8'), 'manifest.json'));
    const size = Object.values(publication!.files).reduce((n, f) => n + f.bytes, 0);
    rmSync(published, { recursive: true, force: true });
    const unmount = smallDisk(published, Math.round(size * 1.5) + 64 * 1024);
    expect(unmount, 'a tmpfs needs root: run the suite as root (CI does)').toBeDefined();
    undo.push(unmount!);
    expect(meshIngested(sales, env, 'build').code).toBe(0);
    const before = publicationOf(sales)!;
    const rowsBefore = await sharedRows(sales);
    changeRawData(raw);
    const r = meshIngested(sales, env, 'build');
    expect(r.code, r.output).toBe(2);
    expect(r.stderr).toContain('error[E_FS_NO_SPACE] cannot write the publication: no space left on the device (ENOSPC)');
    expect(r.stderr).toContain('df -h');
    expect(publicationOf(sales)!.manifestText).toBe(before.manifestText);
    expect(publicationOf(sales)!.versions).toEqual(before.versions);
    expect(await sharedRows(sales)).toEqual(rowsBefore);
    expect(existsSync(join(sales, 'target', 'published', 'versions'))).toBe(true);
  }, 120_000);
});

describe('fault 5: masked personal data cannot be looked up', () => {
  it('a list of candidate e-mails finds nobody in the analysts share; the keyed hash still joins', async () => {
    const { root, raw, env, sales } = built('fault5');
    const share = publishedFile(sales, 'shares/analysts.duckdb');
    const candidates = join(raw, 'sales', 'customers.csv');
    const found = await queryDb(share, `select count(*) as n from gold.customer_summary s join read_csv('${candidates}') c on s.customer_email in (sha256(lower(c.customer_email)), sha256(c.customer_email), md5(c.customer_email))`);
    expect(found).toEqual([{ n: 0 }]);
    // First and last names are personal by their names and leave masked too.
    const names = await queryDb(share, `select count(*) as n from gold.customer_summary s join read_csv('${candidates}') c on s.customer_name = c.customer_name or s.customer_surname = c.customer_surname`);
    expect(names).toEqual([{ n: 0 }]);
    const text = readFileSync(join(sales, 'target', 'published', 'manifest.json'), 'utf8');
    expect(publicationFacts(parsePublishedManifest(text, 'manifest.json')).publication?.masking).toEqual({ method: 'hmac-sha256', key_id: expect.stringMatching(/^[0-9a-f]{16}$/) });

    // Rotating the key changes every masked value at the next build.
    const old = await queryDb(share, 'select customer_email from gold.customer_summary order by customer_id');
    const rotate = meshWithEnv(sales, env, 'masking-key', 'rotate');
    expect(rotate.code, rotate.output).toBe(0);
    expect(meshWithEnv(sales, env, 'build').code).toBe(0);
    const fresh = await queryDb(publishedFile(sales, 'shares/analysts.duckdb'), 'select customer_email from gold.customer_summary order by customer_id');
    expect(fresh).toHaveLength(old.length);
    expect(fresh.every((r, i) => r.customer_email !== old[i]!.customer_email)).toBe(true);
  }, 120_000);
});
