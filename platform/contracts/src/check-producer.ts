import { relative } from 'node:path';
import { diffContracts, latestRelease, readRelease, requiredBump, type Contract, type ContractChange, type Release } from '@mesh/contract';
import type { CompiledProject } from '@mesh/engine';
import { bumpBetween, covers, maxBump, packageJson, pendingRelease, type Bump, type PendingRelease } from './changesets';
import { contractFromProject, type ProductInfo } from './from-project';

import { checkUsage, type OpenScratchDatabase, type UsageProblem } from './usage';

export interface CheckError {
  message: string;
  hint: string;
}

export interface ProducerReport {
  project: string;
  packageName: string;
  /** The package version (the version the next release carries once changesets bumps it). */
  version: string;
  working: Contract;
  base?: Release;
  changes: ContractChange[];
  /** The bump the changes need, and the one the pending changesets (or an unreleased version) allow. */
  required: Bump;
  allowed: Bump;
  pending: PendingRelease;
  /** Consumers in the workspace whose models the working contract would break. */
  consumers: UsageProblem[];
  /** Consumers that could not be checked, and why. */
  skipped: Array<{ consumer: string; reason: string }>;
  /** Why the check fails, each with what to do about it. */
  errors: CheckError[];
  warnings: string[];
}

export interface ProducerCheckOptions {
  workspaceRoot: string;
  product?: ProductInfo;
  /** Compiled workspace projects that ref this one, to see which of their models a change breaks. */
  consumers?: CompiledProject[];
  openScratch?: OpenScratchDatabase;
}

/** The project's models that are not public, by name: a public model that became one is a narrowing. */
function narrowedAccess(project: CompiledProject): Record<string, 'private' | 'protected'> {
  const out: Record<string, 'private' | 'protected'> = {};
  for (const n of project.dag.nodes.values()) {
    if (n.resource_type === 'model' && !n.external && n.package_name === project.parsed.name && n.config.access !== 'public') {
      out[n.name] = n.config.access as 'private' | 'protected';
    }
  }
  return out;
}

const article = (bump: Bump) => (bump === 'none' ? 'no' : bump === 'major' ? 'a major' : `a ${bump}`);

/**
 * The producer's side of a release: what changed in the contract since the last release, whether the
 * pending changesets allow that change, and which consumers in the workspace it would break.
 */
export async function checkProducer(project: CompiledProject, options: ProducerCheckOptions): Promise<ProducerReport> {
  const root = project.parsed.root;
  const pkg = packageJson(root);
  const working = contractFromProject(project, { version: pkg.version, product: options.product });
  const base = latestRelease(root, pkg.version);
  const pending = await pendingRelease(options.workspaceRoot, pkg.name);
  const errors: CheckError[] = [];
  const warnings: string[] = [];
  const report: ProducerReport = {
    project: project.parsed.name, packageName: pkg.name, version: pkg.version, working, base,
    changes: [], required: 'none', allowed: pending.bump, pending, consumers: [], skipped: [], errors, warnings,
  };
  if (!base) {
    warnings.push(`${pkg.name} has no released contract yet; run mesh contract release to release ${pkg.version}`);
    return report;
  }
  const released = readRelease(base);
  report.changes = diffContracts(released, working, { narrowedAccess: narrowedAccess(project) });
  report.required = requiredBump(report.changes);
  // A version bumped by `changeset version` but not yet released already allows its own kind of change.
  report.allowed = maxBump(pending.bump, bumpBetween(base.version, pkg.version));
  if (report.required !== 'none' && !covers(report.allowed, report.required)) {
    const breaking = report.changes.filter((c) => c.breaking).length;
    const what = breaking ? `${breaking} breaking change${breaking === 1 ? '' : 's'}` : `${report.changes.length} change${report.changes.length === 1 ? '' : 's'}`;
    errors.push({
      message: `the contract of ${pkg.name} has ${what} since ${base.version} and needs ${article(report.required)} changeset; ` +
        (pending.bump === 'none' ? 'none is pending' : `only ${article(pending.bump)} one is pending (${pending.files.join(', ')})`),
      hint: `Add a changeset for ${pkg.name} (pnpm changeset, choose ${report.required}), or undo the change` +
        `${report.required === 'major' ? ', or keep the old shape as a model version (versions: in the model YAML)' : ''}.`,
    });
  }
  if (base.version !== pkg.version && pending.bump === 'none') {
    errors.push({
      message: `${pkg.name} is at ${pkg.version} but its last released contract is ${base.version} (${relative(options.workspaceRoot, base.path)}); run mesh contract release`,
      hint: 'Record the released contract so consumers can pin it (pnpm version-packages does it after changeset version).',
    });
  }
  if (report.changes.some((c) => c.breaking) && options.openScratch) {
    for (const consumer of options.consumers ?? []) {
      try {
        report.consumers.push(...(await checkUsage(consumer, project.parsed.name, working, options.openScratch, `${project.parsed.name}'s unreleased contract`)));
      } catch (error) {
        report.skipped.push({ consumer: consumer.parsed.name, reason: (error as Error).message });
      }
    }
  }
  return report;
}
