import { existsSync, readdirSync, rmSync, statfsSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { Random } from '@mesh/datagen';
import { killHard, makeUnwritable, meshAsync, queryDb, resume, smallDisk, stoppedAt, publishedFile, type CliResult, type MeshProcess } from '@mesh/testing';
import { startApiReader } from './api-reader';
import { inspectPublication, matchingVersion, sameData } from './check-publication';
import { DOMAINS, meshUnderTest, type Domain } from './mesh-under-test';

/**
 * The fault-injection suite (see README.md): rounds of one injected fault each over real builds of the
 * Teddy mesh, each followed by a check of every publication and a rebuild that must succeed.
 */

const { values } = parseArgs({
  options: {
    rounds: { type: 'string', default: '52' },
    seed: { type: 'string' },
    lines: { type: 'string', default: '1500' },
    versions: { type: 'string', default: '3' },
  },
});
const rounds = Number(values.rounds);
/** Longer than any round takes on a loaded machine; a round past it is stuck. */
const ROUND_LIMIT_S = 300;
const seed = values.seed === undefined ? Math.floor(Math.random() * 2 ** 31) : Number(values.seed);
const versions = Number(values.versions);
const random = new Random(seed);
const pick = <T>(items: readonly T[]): T => items[random.int(items.length)]!;
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
process.stdout.write(`Fault injection over the Teddy mesh: ${rounds} rounds, seed ${seed} (again: pnpm faults --rounds ${rounds} --seed ${seed})\n`);

const t0 = performance.now();
const mesh = await meshUnderTest(Number(values.lines));
const undo: Array<() => void> = [];
process.on('exit', () => undo.splice(0).reverse().forEach((u) => u()));

// The publication folder of sales is a small disk of its own, so a round can fill it (root only: tmpfs).
const salesPublished = join(mesh.dir('sales'), 'target', 'published');
const unmount = smallDisk(salesPublished, 24 * 1024 * 1024);
if (unmount) undo.push(unmount);

const must = (r: CliResult, what: string) => {
  if (r.code !== 0) throw new Error(`${what} failed (exit ${r.code}):\n${r.output}`);
  return r;
};

// References: a clean build of each data version, every test passing; a publication must equal one.
const salesRefs = new Map<number, Map<string, string>>();
const financeRefs = new Map<number, Map<string, string>>();
const apiRefs = new Map<number, string>();
mesh.useData(0);
must(await mesh.build('inventory'), 'the first build of inventory');
const inventoryRef = (await inspectPublication(mesh.dir('inventory'))).fingerprint;
for (let v = versions - 1; v >= 0; v--) {
  mesh.useData(v);
  must(await mesh.build('sales'), `the reference build of sales, data version ${v}`);
  must(await mesh.build('finance'), `the reference build of finance, data version ${v}`);
  salesRefs.set(v, (await inspectPublication(mesh.dir('sales'))).fingerprint);
  financeRefs.set(v, (await inspectPublication(mesh.dir('finance'))).fingerprint);
  const [api] = await queryDb(publishedFile(mesh.dir('sales'), 'shares/finance.duckdb'), 'select count(*)::int as n, sum(total_value)::bigint as t from gold.order_summary');
  apiRefs.set(v, `${api!.n}:${api!.t}`);
}
let current = 0;

// A reader of the API for the whole run, with finance's token.
const added = must(await meshAsync(mesh.root, mesh.env, 'token', 'add', '--workspace', mesh.root, '--name', 'faults-reader', '--consumer', 'finance'), 'mesh token add');
const token = /Token \(shown once, hand it to its holder\): (\S+)/.exec(added.stdout)![1]!;
const serve = mesh.start('inventory', {}, 'serve', '--workspace', mesh.root, '--port', '0');
await serve.waitFor(/API at (http:\/\/\S+\/)/);
const url = /API at (http:\/\/\S+\/)/.exec(serve.output())![1]!;
const accepted = new Set(apiRefs.values());
const reader = startApiReader(url, token, (rows, total) => accepted.has(`${rows}:${total}`));
process.stdout.write(`Set up in ${((performance.now() - t0) / 1000).toFixed(1)}s: ${versions} data versions built cleanly as references; mesh serve at ${url}${unmount ? '' : ' (no tmpfs: not root, ENOSPC rounds are left out)'}\n`);

type Kind = 'kill-at-point' | 'kill-after-delay' | 'kill-upstream' | 'eperm' | 'enospc' | 'race';
const KINDS: Kind[] = ['kill-at-point', 'kill-at-point', 'kill-at-point', 'kill-after-delay', 'kill-after-delay', 'kill-upstream', 'eperm', 'eperm', 'race', ...(unmount ? ['enospc', 'enospc'] as Kind[] : [])];
const NODES = ['model.sales.raw_orders', 'model.sales.raw_order_products', 'model.sales.stg_order_products', 'model.sales.order_summary', 'model.sales.customer_summary'];
const TESTS = ['test.sales.unique_order_summary_order_id*', 'test.sales.relationships_raw_order_products_order_id*', 'test.sales.unique_raw_orders_order_id*'];
const PUBLISH_POINTS = ['publish:wrote:data/sales/silver/stg_order_products.clear.parquet', 'publish:wrote:shares/analysts.duckdb', 'publish:wrote:shares/finance.duckdb', 'publish:staged', 'publish:renamed', 'publish:committed'];

const tally = { faults: 0, byKind: new Map<string, number>(), torn: 0, stale: 0, rebuildsFailed: 0, consumerBuilds: 0, consumerFailed: 0 };
/** Problems, printed as they are found and counted at the end. */
const problems = {
  list: [] as string[],
  get length() {
    return this.list.length;
  },
  push(p: string) {
    this.list.push(p);
    process.stdout.write(`problem: ${p}\n`);
  },
};

/** What a publication folder holds, for a report: each entry of versions/ with its size, and its leases. */
function describeFolder(dir: string): string {
  const versions = join(dir, 'versions');
  const size = (path: string): number => (statSync(path).isDirectory() ? readdirSync(path).reduce((s, e) => s + size(join(path, e)), 0) : statSync(path).size);
  const entries = existsSync(versions) ? readdirSync(versions).map((v) => `${v} ${(size(join(versions, v)) / 1e6).toFixed(1)} MB, ${existsSync(join(versions, v, '.leases')) ? readdirSync(join(versions, v, '.leases')).length : 0} lease(s)`) : [];
  return [...readdirSync(dir).filter((e) => e !== 'versions'), ...entries].join('; ');
}

/** The new raw data loaded into bronze before a faulted build, as a scheduled run loads it: that must succeed. */
async function ingested(domain: Domain): Promise<void> {
  const r = await mesh.ingest(domain);
  if (r) must(r, `mesh ingest of ${domain}`);
}

/** The consumer builds against sales while the faulted build publishes: it must succeed on a whole publication. */
function consumerDuring(): Promise<CliResult> {
  tally.consumerBuilds++;
  return mesh.build('finance', '--wait');
}

async function injected(kind: Kind): Promise<{ fault: string; result?: CliResult }> {
  switch (kind) {
    case 'kill-at-point': {
      await ingested('sales');
      const point = random.next() < 0.5 ? pick(PUBLISH_POINTS) : random.next() < 0.7 ? `${pick(['built:', 'committed:'])}${pick(NODES)}` : `tested:${pick(TESTS)}`;
      const proc = await stoppedAt(mesh.dir('sales'), mesh.env, point, 'build');
      await killHard(proc);
      return { fault: `kill -9 at ${point}` };
    }
    case 'kill-after-delay': {
      const delay = random.between(200, 2500);
      await ingested('sales');
      const proc = mesh.start('sales', {}, 'build');
      await Promise.race([sleep(delay), proc.exited]);
      await killHard(proc);
      return { fault: `kill -9 after ${delay} ms` };
    }
    case 'kill-upstream': {
      const point = pick(['publish:staged', 'publish:renamed', 'built:model.inventory.products']);
      // Sales' new data is loaded as in every round; the fault is in its upstream's publication.
      await ingested('sales');
      await ingested('inventory');
      await killHard(await stoppedAt(mesh.dir('inventory'), mesh.env, point, 'build'));
      return { fault: `kill -9 of inventory at ${point}` };
    }
    case 'eperm': {
      const point = pick(PUBLISH_POINTS.slice(0, 4));
      await ingested('sales');
      const proc: MeshProcess = await stoppedAt(mesh.dir('sales'), mesh.env, point, 'build');
      const restore = makeUnwritable(salesPublished);
      resume(proc);
      const result = await proc.exited;
      restore();
      if (result.code !== 2 || !/error\[E_FS_PERMISSION\]/.test(result.stderr)) problems.push(`EPERM at ${point}: expected exit 2 with E_FS_PERMISSION, got ${result.code}:\n${result.stderr}`);
      return { fault: `EPERM on target/published at ${point}`, result };
    }
    case 'enospc': {
      const free = Number(statfsSync(salesPublished).bavail) * Number(statfsSync(salesPublished).bsize);
      const filler = join(salesPublished, 'filler');
      writeFileSync(filler, Buffer.alloc(Math.max(0, free - random.between(64, 1200) * 1024)));
      const result = await mesh.build('sales');
      rmSync(filler, { force: true });
      if (result.code === 0) return { fault: 'ENOSPC (the publication fit after all)', result };
      if (result.code !== 2 || !/error\[E_FS_NO_SPACE\]/.test(result.stderr)) problems.push(`ENOSPC: expected exit 2 with E_FS_NO_SPACE, got ${result.code}:\n${result.stderr}`);
      return { fault: 'ENOSPC on target/published', result };
    }
    case 'race': {
      await ingested('sales');
      const [a, b] = await Promise.all([mesh.buildOnly('sales'), mesh.buildOnly('sales')]);
      const ok = [a, b].filter((r) => r.code === 0).length;
      const locked = [a, b].filter((r) => /error\[E_PROJECT_LOCKED\]/.test(r.stderr)).length;
      if (ok < 1 || ok + locked !== 2) problems.push(`two builds racing: expected one to build and the other to be refused by the lock, got exits ${a.code} and ${b.code}:\n${a.stderr}\n${b.stderr}`);
      return { fault: `two builds racing (${ok} built, ${locked} refused by the lock)` };
    }
  }
}

async function check(when: string, expectCurrent: boolean): Promise<void> {
  for (const domain of DOMAINS) {
    const seen = await inspectPublication(mesh.dir(domain as Domain));
    if (seen.torn.length) {
      tally.torn++;
      problems.push(`${when}: ${domain}'s publication ${seen.version} is torn: ${seen.torn.join('; ')}`);
    }
    const refs = domain === 'sales' ? salesRefs : domain === 'finance' ? financeRefs : new Map([[0, inventoryRef]]);
    const version = matchingVersion(seen.fingerprint, refs);
    if (version === undefined) {
      tally.stale++;
      problems.push(`${when}: ${domain}'s publication ${seen.version} matches no clean build of any data version (a mixed state)`);
    } else if (expectCurrent && domain === 'sales' && version !== current) {
      tally.stale++;
      problems.push(`${when}: sales was rebuilt on data version ${current} but publishes version ${version} (stale)`);
    }
  }
}

for (let round = 1; round <= rounds; round++) {
  // A round that hangs (a process stopped and never killed, a lock never released) fails the suite.
  const watchdog = setTimeout(() => {
    process.stdout.write(`problem: round ${round} did not finish in ${ROUND_LIMIT_S} s; seed ${seed}\n`);
    process.exit(1);
  }, ROUND_LIMIT_S * 1000);
  const kind = pick(KINDS);
  const next = (current + 1 + random.int(versions - 1)) % versions;
  current = next;
  mesh.useData(current);
  // Every faulted publication has a consumer building against it meanwhile.
  const consumer = consumerDuring();
  let fault: string;
  try {
    ({ fault } = await injected(kind));
  } catch (error) {
    // The build ended before it reached the point to stop at: that is a failed build, not an injected fault.
    problems.push(`round ${round}: ${kind} could not be injected: ${error instanceof Error ? error.message.split('\n').slice(0, 40).join('\n') : String(error)}\nin target/published: ${describeFolder(salesPublished)}`);
    fault = `${kind} (not injected)`;
  }
  const consumed = await consumer;
  if (consumed && consumed.code !== 0) {
    tally.consumerFailed++;
    problems.push(`round ${round}: finance failed to build while sales published:\n${consumed.output}`);
  }
  tally.faults++;
  tally.byKind.set(kind, (tally.byKind.get(kind) ?? 0) + 1);
  await check(`round ${round} after ${fault}`, false);
  // The rebuild: inventory first when it was the one killed, then sales; both must succeed and publish the current data.
  if (kind === 'kill-upstream') {
    const r = await mesh.buildOnly('inventory');
    if (r.code !== 0) {
      tally.rebuildsFailed++;
      problems.push(`round ${round}: the rebuild of inventory failed:\n${r.output}`);
    }
  }
  // The data was ingested before the fault (or by the ENOSPC round's own run): the rebuild is a build.
  const rebuilt = await mesh.buildOnly('sales');
  if (rebuilt.code !== 0) {
    tally.rebuildsFailed++;
    problems.push(`round ${round}: the rebuild of sales after ${fault} failed:\n${rebuilt.output}\nin target/published: ${describeFolder(salesPublished)}`);
  }
  await check(`round ${round} after the rebuild`, true);
  const apiTrouble = reader.report.failed + reader.report.mixed;
  clearTimeout(watchdog);
  process.stdout.write(`  ${String(round).padStart(3)}  ${fault.padEnd(62)} data v${current}  ${problems.length || apiTrouble ? `${problems.length} problem(s), ${apiTrouble} bad API answers` : 'ok'}\n`);
}

const api = await reader.stop();
serve.child.kill('SIGTERM');
await serve.exited;
const seconds = (performance.now() - t0) / 1000;
const kinds = [...tally.byKind].sort().map(([k, n]) => `${k} ${n}`).join(', ');
process.stdout.write([
  '',
  `Faults injected: ${tally.faults} (${kinds}), seed ${seed}, ${seconds.toFixed(0)}s`,
  `Torn publications found: ${tally.torn}`,
  `Stale or mixed publications found: ${tally.stale}`,
  `Rebuilds that failed: ${tally.rebuildsFailed}`,
  `Consumer builds during a faulted publish: ${tally.consumerBuilds}, failed: ${tally.consumerFailed}`,
  `API reads during the run: ${api.requests}, mixed: ${api.mixed}, failed: ${api.failed}`,
  '',
].join('\n'));
for (const p of api.errors) process.stdout.write(`problem: ${p}\n`);
if (api.failed) process.stdout.write(`mesh serve said:\n${serve.output().split('\n').filter(Boolean).slice(-15).join('\n')}\n`);
const ok = !problems.length && api.mixed === 0 && api.failed === 0 && sameData(inventoryRef, (await inspectPublication(mesh.dir('inventory'))).fingerprint);
process.exitCode = ok ? 0 : 1;
