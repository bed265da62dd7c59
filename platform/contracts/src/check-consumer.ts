import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { diffContracts, latestRelease, readContract, readRelease, releaseSatisfying, type Contract } from '@mesh/contract';
import type { CompiledProject } from '@mesh/engine';
import { contractPathOf, declaredUpstreams, pinPublication } from '@mesh/loom';
import { packageJson } from './changesets';
import { contractFromProject, type ProductInfo } from './from-project';

import { checkUsage, type OpenScratchDatabase, type UsageProblem } from './usage';

export interface UpstreamCheck {
  upstream: string;
  /** The releases this project accepts, when it pins them. */
  range?: string;
  /** The released contract version the models were checked against. */
  pinned?: string;
  /** Problems with the pinned release: the models need something it does not offer. */
  problems: UsageProblem[];
  /** The upstream's unreleased contract, when it differs from the pinned one, and what it would break. */
  next?: string;
  upcoming: UsageProblem[];
  note?: string;
}

export interface ConsumerCheckOptions {
  openScratch: OpenScratchDatabase;
  /** Compiles an upstream workspace package, to learn its unreleased contract. */
  compileUpstream(root: string): Promise<CompiledProject>;
  /** The upstream's product descriptor, so its unreleased contract is built as its release would be. */
  productInfo?(root: string): ProductInfo | undefined;
}

/**
 * The consumer's side: for each upstream, do this project's models still compile against the release it
 * pins, and against what the upstream has changed but not released yet? The second answer arrives
 * before the producer releases, while there is time to talk.
 */
export async function checkConsumer(project: CompiledProject, options: ConsumerCheckOptions): Promise<UpstreamCheck[]> {
  const out: UpstreamCheck[] = [];
  // Models are checked with the binder against the project's own relations, which a build creates.
  const built = existsSync(project.parsed.target.path);
  for (const source of declaredUpstreams(project.parsed)) {
    const check: UpstreamCheck = { upstream: source.name, range: source.range, problems: [], upcoming: [] };
    out.push(check);
    let pinned: Contract | undefined;
    let next: Contract | undefined;
    if (source.root) {
      const release = source.range ? releaseSatisfying(source.root, source.range) : latestRelease(source.root);
      if (release) pinned = readRelease(release);
      else check.note = source.range ? `no release of ${source.name} satisfies ${source.range}` : `${source.name} has not released a contract yet`;
      const upstream = await options.compileUpstream(source.root);
      next = contractFromProject(upstream, { version: `${packageJson(source.root).version}+unreleased`, product: options.productInfo?.(source.root) });
    } else if (source.kind === 'path') {
      const dir = source.from.endsWith('.json') ? join(source.from, '..') : source.from;
      const publication = pinPublication(dir, { reader: `contract check ${project.parsed.name}`, lease: false });
      const file = publication && join(dir, contractPathOf(publication.facts));
      if (file && existsSync(file)) pinned = readContract(file);
      else check.note = `no contract is published with ${source.from}`;
    } else {
      check.note = 'contracts of upstreams read over http are checked when their publication is fetched';
    }
    if (!built) {
      check.pinned = pinned?.version;
      check.note = `${project.parsed.name} is not built, so its models were not checked (run mesh build first)`;
      continue;
    }
    if (pinned) {
      check.pinned = pinned.version;
      check.problems = await checkUsage(project, source.name, pinned, options.openScratch);
    }
    if (next && (!pinned || diffContracts(pinned, next).length)) {
      check.next = next.version;
      check.upcoming = await checkUsage(project, source.name, next, options.openScratch, `${source.name}'s unreleased contract`);
    }
  }
  return out;
}
