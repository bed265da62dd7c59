import { existsSync } from 'node:fs';
import { resolve } from 'node:path';
import { findProjectFile, readProjectFile } from '@mesh/engine';
import { MetadataStore, metadataPath } from '@mesh/metadata';
import type { Output } from './commands';
import { sloTable } from './slo-table';

/** `mesh slo`: the data product's service levels as last measured, or their history, from the metadata database. */
export async function sloCommand(flags: { projectDir: string; history?: string; json?: boolean }, io: Output): Promise<number> {
  const limit = flags.history === undefined ? 1 : Number(flags.history);
  if (!Number.isInteger(limit) || limit < 1) {
    io.err(`error[E_CLI_HISTORY] --history must be a whole number of at least 1, got '${flags.history}'`);
    return 2;
  }
  const root = resolve(flags.projectDir);
  const file = findProjectFile(root);
  const project = readProjectFile(file).project.name;
  const path = metadataPath(root);
  const history = existsSync(path) ? await readHistory(path, project, limit) : [];
  if (flags.json) {
    io.out(JSON.stringify(history.map((h) => ({ ...h, measuredAt: h.measuredAt.toISOString() })), null, 2));
    return 0;
  }
  if (!history.length) {
    io.out(`No SLO measurements recorded for ${project} yet: SLOs are measured after each mesh build (or run) of a project whose data_product.yaml has slos:.`);
    return 0;
  }
  io.out(sloTable(history));
  const latest = new Map(history.map((h) => [`${h.slo}|${h.model}|${h.column ?? ''}`, h]));
  const unmet = [...latest.values()].filter((h) => h.status !== 'pass').length;
  io.out(`${project}: ${latest.size - unmet} of ${latest.size} SLOs met at their last measurement.`);
  return 0;
}

async function readHistory(path: string, project: string, limit: number) {
  return MetadataStore.use(path, (store) => store.sloHistory(project, limit));
}
