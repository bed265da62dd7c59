import { existsSync, mkdirSync, readdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import semver from 'semver';
import { generateTypeScript } from './codegen';
import { parseYamlFile } from '@mesh/validate';
import { diffContracts } from './diff';
import { contractForm, parseContract, readContract } from './parse';
import type { Contract, ContractServer } from './schema';
import { stringifyContract } from './stringify';
import { MeshError } from '@mesh/errors';

/**
 * A domain package keeps every contract it released in `contracts/<version>.odcs.yaml`, committed with
 * the package: consumers read the version they pin offline, and checks compare against the last one.
 */
export const CONTRACTS_DIR = 'contracts';
const RELEASE_FILE = /^(\d+\.\d+\.\d+(?:-[0-9A-Za-z.-]+)?)\.odcs\.yaml$/;

export interface Release {
  version: string;
  path: string;
}

export function releasePath(root: string, version: string): string {
  return join(root, CONTRACTS_DIR, `${version}.odcs.yaml`);
}

/** Released contract versions, oldest first. */
export function listReleases(root: string): Release[] {
  const dir = join(root, CONTRACTS_DIR);
  if (!existsSync(dir)) return [];
  return readdirSync(dir)
    .map((f) => RELEASE_FILE.exec(f))
    .filter((m): m is RegExpExecArray => m !== null)
    .map((m) => ({ version: m[1]!, path: join(dir, m[0]) }))
    .sort((a, b) => semver.compare(a.version, b.version));
}

/** The newest release at or below a version (the package's), or the newest of all. */
export function latestRelease(root: string, atMost?: string): Release | undefined {
  const all = listReleases(root).filter((r) => !atMost || semver.lte(r.version, atMost));
  return all.at(-1);
}

/** The newest release a consumer's range accepts, e.g. `^1.0.0`. */
export function releaseSatisfying(root: string, range: string): Release | undefined {
  const versions = listReleases(root);
  const best = semver.maxSatisfying(versions.map((r) => r.version), range);
  return versions.find((r) => r.version === best);
}

export function readRelease(release: Release): Contract {
  return readContract(release.path);
}

function writeAtomic(path: string, text: string): void {
  writeFileSync(`${path}.tmp`, text);
  renameSync(`${path}.tmp`, path);
}

export type ReleaseOutcome = { written: true; path: string; typesPath: string } | { written: false; path: string };

/**
 * Records a contract as released under its version, with the TypeScript types of that version in
 * `contracts/index.ts` for consumers. A version is released once: writing a different contract under a
 * version that exists is refused, since consumers may already rely on it.
 */
export function writeRelease(root: string, contract: Contract): ReleaseOutcome {
  const path = releasePath(root, contract.version);
  const text = stringifyContract(contract);
  if (existsSync(path)) {
    if (readFileSync(path, 'utf8') === text) return { written: false, path };
    throw new MeshError('E_CONTRACT_RELEASED', `contract ${contract.name} ${contract.version} is already released and differs from the models`, {
      location: { file: path },
      hint: 'A released version never changes. Add a changeset (pnpm changeset) and run pnpm version-packages to release the change under a new version.',
    });
  }
  mkdirSync(join(root, CONTRACTS_DIR), { recursive: true });
  writeAtomic(path, text);
  const latest = latestRelease(root);
  const typesPath = join(root, CONTRACTS_DIR, 'index.ts');
  if (latest?.version === contract.version) writeAtomic(typesPath, generateTypeScript(contract));
  return { written: true, path, typesPath };
}

export type MigrationOutcome = { migrated: true; path: string } | { migrated: false; path: string; reason: string };

/**
 * Rewrites a release written before contracts followed ODCS v3.1.0 in the current form. A released
 * version's promises never change: the file is re-encoded from what the legacy reader reads, and is
 * written only when reading the new text back gives the same contract (no change but the servers it
 * gains, which say where the data is and promise nothing). A release in the current form is left as it is.
 */
export function migrateRelease(release: Release, servers: ContractServer[] = []): MigrationOutcome {
  const before = readFileSync(release.path, 'utf8');
  if (contractForm(parseYamlFile(release.path, before)) === 'odcs') return { migrated: false, path: release.path, reason: 'already in the ODCS v3.1.0 form' };
  const legacy = parseContract(release.path, before);
  const text = stringifyContract({ ...legacy, servers: legacy.servers.length ? legacy.servers : servers });
  const changes = diffContracts(legacy, parseContract(release.path, text)).filter((c) => c.message !== 'servers of the contract changed');
  if (changes.length) {
    throw new MeshError('E_CONTRACT_MIGRATION', `migrating ${release.path} would change what release ${release.version} promises`, {
      location: { file: release.path },
      details: changes.map((c) => c.message).join('\n'),
      hint: 'Leave the release as it is (it is still read) and report the contract that does not carry over.',
    });
  }
  writeAtomic(release.path, text);
  return { migrated: true, path: release.path };
}
