export { compareVersions, latestVersion, resolveVersion, versionKind, type VersionedEntry, type VersionKind } from './resolve-version';
