/**
 * dbt's model versions (https://docs.getdbt.com/docs/mesh/govern/model-versions):
 * - `ref('m', v=2)` means version 2, whatever latest_version says: a version above it (a prerelease) is
 *   reachable only this way.
 * - `ref('m')` means `latest_version` when the model sets it, else its highest version.
 * - Versions compare as numbers when both are numbers, else as text (dbt's UnparsedVersion.__lt__), so
 *   10 is above 9 and `2_beta` is above `10`.
 * - An unversioned model has no version to pin: `ref('m', v=1)` resolves to nothing.
 */

/** What the rule needs to know of a candidate: its version (none when unversioned) and the latest_version it declares. */
export interface VersionedEntry {
  version?: string | number | null;
  latestVersion?: string | number | null;
}

export type VersionKind = 'latest' | 'prerelease' | 'old' | 'unversioned';

const text = (v: string | number | null | undefined): string | undefined => (v === null || v === undefined || v === '' ? undefined : String(v));

function asNumber(v: string): number | undefined {
  // Python's float(): decimal notation with an optional sign and exponent, blanks around it allowed.
  return /^\s*[+-]?(\d+\.?\d*|\.\d+)(e[+-]?\d+)?\s*$/i.test(v) ? Number(v) : undefined;
}

/** Below zero when a is the lower version, above when it is the higher, zero when they are the same. */
export function compareVersions(a: string | number, b: string | number): number {
  const x = String(a);
  const y = String(b);
  const nx = asNumber(x);
  const ny = asNumber(y);
  if (nx !== undefined && ny !== undefined) return nx - ny;
  return x < y ? -1 : x > y ? 1 : 0;
}

/** The version an unpinned ref means: the declared latest_version, else the highest of the versions. */
export function latestVersion(versions: ReadonlyArray<string | number>, declared?: string | number | null): string | undefined {
  const set = text(declared);
  if (set !== undefined) return set;
  const all = versions.map(String);
  return all.length ? all.reduce((max, v) => (compareVersions(v, max) > 0 ? v : max)) : undefined;
}

/**
 * The candidate a ref means among the entries of one model name (its versions, or its one unversioned
 * entry), or undefined when there is none: a pinned version that does not exist, a pin on an unversioned
 * model, or a latest_version that names no version.
 */
export function resolveVersion<T>(candidates: readonly T[], pinned: string | number | null | undefined, read: (candidate: T) => VersionedEntry): T | undefined {
  const entries = candidates.map((c) => ({ c, version: text(read(c).version), declared: text(read(c).latestVersion) }));
  const versioned = entries.filter((e) => e.version !== undefined);
  const pin = text(pinned);
  // As dbt looks a pin up (by the name `m.v2`): the version as written, so v=1 is not 1.0.
  if (pin !== undefined) return versioned.find((e) => e.version === pin)?.c;
  if (!versioned.length) return entries[0]?.c;
  const latest = latestVersion(versioned.map((e) => e.version!), versioned.find((e) => e.declared !== undefined)?.declared);
  // A name both versioned and not (not valid dbt, but an old publication can hold it): the unversioned
  // entry stands in when the latest version is missing.
  return versioned.find((e) => e.version === latest)?.c ?? entries.find((e) => e.version === undefined)?.c;
}

/** Where a version stands against the latest: dbt's `version:latest`, `version:prerelease`, `version:old`. */
export function versionKind(version: string | number | null | undefined, latest: string | number | null | undefined): VersionKind {
  const v = text(version);
  const l = text(latest);
  if (v === undefined || l === undefined) return 'unversioned';
  const order = compareVersions(v, l);
  return order === 0 ? 'latest' : order > 0 ? 'prerelease' : 'old';
}
