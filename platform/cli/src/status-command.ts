import { formatError } from '@mesh/errors';
import { formatAge, loadDataProduct, parseDuration } from '@mesh/governance';
import { loadIngestFile } from '@mesh/ingest';
import type { MetadataStore } from '@mesh/metadata';
import { parseCron } from '@mesh/scheduler';
import { formatTable } from '@mesh/text-table';
import type { Output } from './commands';
import { projectNameOr, projectsAt } from './project-file';
import { when, withHistories } from './runs-command';

export interface DomainStatus {
  domain: string;
  lastRun?: { runId: string; command: string; status: string; finishedAt: Date; message?: string };
  lastBuild?: Date;
  /** The output ports' models, each with when it last built successfully. */
  ports: Array<{ port: string; model: string; builtAt?: Date; ageS?: number; stale: boolean }>;
  /** The freshness SLO's max_age, when the product declares one. */
  maxAgeS?: number;
  slos: { met: number; total: number };
  nextRun?: Date;
  problems: string[];
}

/** `mesh status`: every domain at a glance: its last run, how fresh its output ports are, its SLOs, its next scheduled run. */
export async function statusCommand(flags: { projectDir: string; json?: boolean }, io: Output): Promise<number> {
  const now = new Date();
  const histories = await withHistories(projectsAt(flags.projectDir), (store, root) => domainStatus(root, now, store));
  const statuses = await Promise.all(histories.map((h) => h.value ?? domainStatus(h.root, now)));
  if (flags.json) {
    io.out(JSON.stringify(statuses, null, 2));
    return 0;
  }
  const age = (d: Date | undefined) => (d ? `${formatAge((now.getTime() - d.getTime()) / 1000)} ago` : 'never');
  io.out(formatTable(['domain', 'last run', 'status', 'finished', 'last build', 'output ports', 'SLOs', 'next run'], statuses.map((s) => ({
    domain: s.domain,
    'last run': s.lastRun ? `${s.lastRun.command} ${s.lastRun.runId.slice(0, 8)}` : '',
    status: s.lastRun?.status.toUpperCase() ?? 'NEVER RUN',
    finished: s.lastRun ? age(s.lastRun.finishedAt) : '',
    'last build': age(s.lastBuild),
    'output ports': portSummary(s),
    SLOs: s.slos.total ? `${s.slos.met}/${s.slos.total} met` : '',
    'next run': when(s.nextRun),
  })), { maxWidth: 48 }));
  for (const s of statuses) for (const p of s.problems) io.err(`warning: ${s.domain}: ${p}`);
  return 0;
}

function portSummary(s: DomainStatus): string {
  if (!s.ports.length) return '';
  const stale = s.ports.filter((p) => p.stale);
  const oldest = Math.max(...s.ports.map((p) => p.ageS ?? Infinity));
  const limit = s.maxAgeS === undefined ? '' : ` (max ${formatAge(s.maxAgeS)})`;
  if (stale.length) return `STALE: ${stale.map((p) => p.port).join(', ')}${limit}`;
  return `${s.ports.length} fresh, oldest ${formatAge(oldest)}${limit}`;
}

async function domainStatus(root: string, now: Date, store?: MetadataStore): Promise<DomainStatus> {
  const domain = projectNameOr(root);
  const status: DomainStatus = { domain, ports: [], slos: { met: 0, total: 0 }, problems: [] };
  // Each part on its own: a bad descriptor or schedule is reported, and the rest of the status still shown.
  const attempt = <T>(what: () => T): T | undefined => {
    try {
      return what();
    } catch (error) {
      status.problems.push(formatError(error).split('\n')[0]!.replace(/^error/, ''));
      return undefined;
    }
  };
  const product = attempt(() => loadDataProduct(root));
  const schedule = attempt(() => loadIngestFile(root)?.schedule);
  if (schedule) status.nextRun = attempt(() => parseCron(schedule.cron, schedule.timezone).next(now));
  const maxAge = product?.slos?.freshness?.max_age;
  status.maxAgeS = maxAge ? parseDuration(maxAge) / 1000 : undefined;
  if (!store) {
    status.ports = (product?.output_ports ?? []).map((p) => ({ port: p.name, model: p.model, stale: true }));
    return status;
  }
  const [last] = await store.listRuns({ project: domain, limit: 1 });
  if (last) status.lastRun = { runId: last.runId, command: last.command, status: last.status, finishedAt: last.finishedAt, message: last.message };
  const [build] = await store.listRuns({ project: domain, command: 'build', limit: 1 });
  status.lastBuild = build?.finishedAt;
  const ports = product?.output_ports ?? [];
  const ids = ports.flatMap((p) => [`model.${domain}.${p.model}`, ...(p.version ? [`model.${domain}.${p.model}.v${p.version}`] : [])]);
  const built = await store.lastBuilt(ids);
  status.ports = ports.map((p) => {
    const at = (p.version ? built.get(`model.${domain}.${p.model}.v${p.version}`) : undefined) ?? built.get(`model.${domain}.${p.model}`);
    const ageS = at ? (now.getTime() - at.getTime()) / 1000 : undefined;
    return { port: p.name, model: p.model, builtAt: at, ageS, stale: ageS === undefined || (status.maxAgeS !== undefined && ageS > status.maxAgeS) };
  });
  const slos = await store.sloHistory(domain, 1);
  status.slos = { met: slos.filter((s) => s.status === 'pass').length, total: slos.length };
  return status;
}
