import semver from 'semver';

/** A descriptor's version (`1.2.0`) and input-port ranges (`^1.2.0`) are validated by npm's own semver. */
export function isSemver(text: string): boolean {
  return semver.valid(text) !== null;
}

export function isSemverRange(text: string): boolean {
  return semver.validRange(text) !== null;
}
