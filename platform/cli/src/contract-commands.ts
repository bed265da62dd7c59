import { existsSync, mkdirSync, writeFileSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import { diffContracts, formatChanges, generateTypeScript, migrateRelease, readContract, requiredBump, stringifyContract, type Contract } from '@mesh/contract';
import {
  checkConsumer, checkProducer, contractFromProject, contractServers, findWorkspaceRoot, latestRelease, listReleases, packageJson, readRelease,
  workspaceProjects, writeRelease, type ProducerReport, type UpstreamCheck, type UsageProblem,
} from '@mesh/contracts';
import { compileProject, type CompiledProject, type ParsedProject } from '@mesh/engine';
import { formatError, MeshError } from '@mesh/errors';
import { loadUpstreams } from '@mesh/loom';
import { type CommonFlags, type Output, projectOptions } from './commands';
import { productInfo } from '@mesh/pipeline';

const rel = (path: string) => relative(process.cwd(), path) || '.';

/** Contract commands read no data: an upstream that has not published is read from its released contract. */
const offlineUpstreams = (parsed: ParsedProject) => loadUpstreams(parsed, { fallbackToContracts: true });

async function compileQuietly(flags: CommonFlags): Promise<CompiledProject> {
  return compileProject({ ...projectOptions(flags), upstreams: offlineUpstreams, writeCompiledFiles: false });
}

async function openScratch() {
  const { DuckDBAdapter } = await import('@mesh/adapter-duckdb');
  return DuckDBAdapter.open({ path: ':memory:' });
}

function workingContract(project: CompiledProject): Contract {
  const root = project.parsed.root;
  return contractFromProject(project, { version: packageJson(root).version, product: productInfo(root) });
}

/** `mesh contract generate`: the contract the models offer now, as YAML (and TypeScript types). */
export async function generateCommand(flags: CommonFlags & { out?: string; types?: string }, io: Output): Promise<number> {
  const project = await compileQuietly(flags);
  const contract = workingContract(project);
  const out = resolve(flags.out ?? join(project.targetDir, `${project.parsed.name}.odcs.yaml`));
  mkdirSync(dirname(out), { recursive: true });
  writeFileSync(out, stringifyContract(contract));
  io.out(`Wrote the contract of ${project.parsed.name} ${contract.version} (${contract.schema.length} public model${contract.schema.length === 1 ? '' : 's'}) to ${rel(out)}`);
  if (flags.types) {
    const types = resolve(flags.types);
    mkdirSync(dirname(types), { recursive: true });
    writeFileSync(types, generateTypeScript(contract));
    io.out(`Wrote its zod schemas and TypeScript types to ${rel(types)}`);
  }
  return 0;
}

function baseContract(project: CompiledProject, against: string | undefined): { label: string; contract: Contract } | undefined {
  const root = project.parsed.root;
  if (against && existsSync(against)) return { label: rel(against), contract: readContract(resolve(against)) };
  const releases = listReleases(root);
  const release = against ? releases.find((r) => r.version === against) : latestRelease(root, packageJson(root).version);
  if (against && !release) {
    throw new MeshError('E_CONTRACT_RELEASE_UNKNOWN', `${project.parsed.name} has no released contract ${against}`, {
      hint: releases.length ? `Released versions: ${releases.map((r) => r.version).join(', ')}; or pass a contract file.` : 'Nothing is released yet: run mesh contract release.',
    });
  }
  return release && { label: `release ${release.version}`, contract: readRelease(release) };
}

/** `mesh contract diff`: what changed since the last release (or a given version or file), and the bump it needs. */
export async function diffCommand(flags: CommonFlags & { against?: string; json?: boolean }, io: Output): Promise<number> {
  const project = await compileQuietly(flags);
  const working = workingContract(project);
  const base = baseContract(project, flags.against);
  if (!base) {
    io.out(`${project.parsed.name} has no released contract to compare with; run mesh contract release.`);
    return 0;
  }
  const changes = diffContracts(base.contract, working);
  if (flags.json) {
    io.out(JSON.stringify({ project: project.parsed.name, against: base.label, required: requiredBump(changes), changes }, null, 2));
    return 0;
  }
  io.out(`Contract of ${project.parsed.name} against ${base.label}:`);
  io.out(changes.length ? formatChanges(changes) : '  no changes');
  io.out(`Needs ${requiredBump(changes) === 'none' ? 'no release' : `a ${requiredBump(changes)} release`}.`);
  return 0;
}

function problemLine(p: UsageProblem): string {
  return `${p.consumer}.${p.name} (${p.file}) ${p.message}`;
}

function printProducer(report: ProducerReport, io: Output): void {
  const against = report.base ? `release ${report.base.version}` : 'no release';
  io.out(`Contract of ${report.packageName} (${report.project}) at ${report.version}, against ${against}:`);
  if (report.base) io.out(report.changes.length ? formatChanges(report.changes).replace(/^/gm, '  ') : '  no changes');
  if (report.base) {
    const pending = report.pending.bump === 'none' ? 'no changeset pending' : `${report.pending.bump} changeset pending (${report.pending.files.join(', ')})`;
    io.out(`Needs: ${report.required === 'none' ? 'nothing' : `a ${report.required} release`}; ${pending}.`);
  }
  if (report.consumers.length) {
    io.out('Consumers these changes break:');
    for (const p of report.consumers) io.out(`  ${problemLine(p)}`);
  }
  for (const s of report.skipped) io.out(`  (not checked: ${s.consumer}: ${s.reason})`);
}

function printUpstreams(checks: UpstreamCheck[], io: Output): void {
  for (const c of checks) {
    const pin = c.range ? `pinned ${c.range}` : 'not pinned';
    const verdict = c.problems.length ? 'BROKEN' : c.note ?? (c.pinned ? 'ok' : 'not checked');
    io.out(`Upstream ${c.upstream} (${pin}${c.pinned ? `, release ${c.pinned}` : ''}): ${verdict}`);
    for (const p of c.problems) io.out(`  ${problemLine(p)}`);
    if (c.upcoming.length) {
      io.out(`  ${c.upstream}'s unreleased changes would break:`);
      for (const p of c.upcoming) io.out(`    ${problemLine(p)}`);
    } else if (c.next) {
      io.out(`  ${c.upstream}'s unreleased changes keep these models working.`);
    }
  }
}

async function workspaceConsumers(project: CompiledProject, workspaceRoot: string, flags: CommonFlags): Promise<{ consumers: CompiledProject[]; skipped: Array<{ consumer: string; reason: string }> }> {
  const consumers: CompiledProject[] = [];
  const skipped: Array<{ consumer: string; reason: string }> = [];
  for (const dir of workspaceProjects(workspaceRoot)) {
    if (resolve(dir) === resolve(project.parsed.root)) continue;
    try {
      const other = await compileProject({ projectDir: dir, vars: projectOptions(flags).vars, upstreams: offlineUpstreams, writeCompiledFiles: false, dialect: projectOptions(flags).dialect });
      if (other.upstreams.some((u) => u.name === project.parsed.name)) consumers.push(other);
    } catch (error) {
      skipped.push({ consumer: rel(dir), reason: error instanceof Error ? error.message : String(error) });
    }
  }
  return { consumers, skipped };
}

/**
 * `mesh contract check`: as a producer, the changes since the last release must be covered by a pending
 * changeset (a major one when they break), and the workspace consumers they break are named; as a
 * consumer, the models must compile against the upstream releases pinned, and are checked against the
 * upstreams' unreleased changes too.
 */
export async function checkCommand(flags: CommonFlags & { json?: boolean; consumers?: boolean }, io: Output): Promise<number> {
  const project = await compileQuietly(flags);
  const root = project.parsed.root;
  const workspaceRoot = findWorkspaceRoot(root);
  if (!workspaceRoot) {
    throw new MeshError('E_CHANGESETS_MISSING', `no .changeset folder above ${rel(root)}`, {
      hint: 'Releases are made with changesets: run pnpm changeset init at the workspace root.',
    });
  }
  const found = flags.consumers === false ? { consumers: [], skipped: [] } : await workspaceConsumers(project, workspaceRoot, flags);
  const producer = await checkProducer(project, { workspaceRoot, product: productInfo(root), consumers: found.consumers, openScratch });
  const upstreams = project.upstreams.length
    ? await checkConsumer(project, {
      openScratch,
      productInfo,
      compileUpstream: (dir) => compileProject({ projectDir: dir, upstreams: offlineUpstreams, writeCompiledFiles: false }),
    })
    : [];
  const errors = [...producer.errors];
  for (const c of upstreams) {
    if (!c.problems.length) continue;
    errors.push({
      message: `${project.parsed.name} no longer compiles against ${c.upstream} ${c.pinned}, the release it pins`,
      hint: 'Adapt the models named above, or pin a release that offers what they use.',
    });
  }
  if (flags.json) {
    const { working: _working, ...rest } = producer;
    io.out(JSON.stringify({ ok: errors.length === 0, producer: rest, upstreams, errors }, null, 2));
    return errors.length ? 1 : 0;
  }
  printProducer(producer, io);
  printUpstreams(upstreams, io);
  for (const w of producer.warnings) io.err(`warning: ${w}`);
  for (const e of errors) {
    io.err(formatError(new MeshError('E_CONTRACT_CHECK', e.message, { hint: e.hint })));
  }
  if (!errors.length) io.out('Contract check passed.');
  return errors.length ? 1 : 0;
}

/** `mesh contract release`: records the contract of the package's current version in contracts/. */
export async function releaseCommand(flags: CommonFlags, io: Output): Promise<number> {
  const project = await compileQuietly(flags);
  const contract = workingContract(project);
  const outcome = writeRelease(project.parsed.root, contract);
  if (!outcome.written) io.out(`${project.parsed.name} ${contract.version} is already released as ${rel(outcome.path)}; nothing to do.`);
  else io.out(`Released the contract of ${project.parsed.name} ${contract.version}: ${rel(outcome.path)}, types in ${rel(outcome.typesPath)}`);
  return 0;
}

/**
 * `mesh contract migrate`: rewrites released contracts written before contracts followed ODCS v3.1.0 in
 * that form. Each keeps its promises (the rewrite is refused if reading it back would differ) and gains
 * the servers its data is published to.
 */
export async function migrateCommand(flags: CommonFlags, io: Output): Promise<number> {
  const project = await compileQuietly(flags);
  const servers = contractServers(project.parsed);
  let migrated = 0;
  for (const release of listReleases(project.parsed.root)) {
    const outcome = migrateRelease(release, servers);
    if (outcome.migrated) {
      migrated++;
      io.out(`Migrated ${rel(outcome.path)} to ODCS v3.1.0, its promises unchanged`);
    }
  }
  io.out(migrated ? `${migrated} release${migrated === 1 ? '' : 's'} of ${project.parsed.name} migrated.` : `Every release of ${project.parsed.name} is in the ODCS v3.1.0 form already.`);
  return 0;
}
