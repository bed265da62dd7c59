import { describe, expect, it } from 'vitest';
import { compareVersions, latestVersion, resolveVersion, versionKind } from './index';

interface Entry {
  id: string;
  version?: string | null;
  latestVersion?: string | null;
}

const m = (id: string, version?: string, latest?: string): Entry => ({ id, version, latestVersion: latest });
const pick = (candidates: Entry[], pinned?: string) => resolveVersion(candidates, pinned, (e) => e)?.id;

describe('which version a ref means', () => {
  // [case, candidates, pinned, expected]
  const table: Array<[string, Entry[], string | undefined, string | undefined]> = [
    ['an unversioned model, unpinned', [m('plain')], undefined, 'plain'],
    ['an unversioned model, pinned: nothing to pin', [m('plain')], '1', undefined],
    ['unpinned: latest_version when set', [m('v1', '1', '1'), m('v2', '2', '1')], undefined, 'v1'],
    ['unpinned: a version above latest_version (a prerelease) is not taken', [m('v1', '1', '2'), m('v2', '2', '2'), m('v3', '3', '2')], undefined, 'v2'],
    ['pinned: the prerelease is reached only by v=', [m('v1', '1', '2'), m('v2', '2', '2'), m('v3', '3', '2')], '3', 'v3'],
    ['pinned: an old version', [m('v1', '1', '2'), m('v2', '2', '2')], '1', 'v1'],
    ['pinned: a version that does not exist', [m('v1', '1', '2'), m('v2', '2', '2')], '4', undefined],
    ['pinned: the version as written, so 1 is not 1.0', [m('v1', '1.0', '1.0')], '1', undefined],
    ['unpinned, no latest_version: the highest, as numbers (10 above 9)', [m('v9', '9'), m('v10', '10')], undefined, 'v10'],
    ['unpinned, no latest_version, versions that are not numbers: as text', [m('a', 'alpha'), m('b', 'beta')], undefined, 'b'],
    ['unpinned, a number and a text: compared as text, as dbt does', [m('ten', '10'), m('beta', '2_beta')], undefined, 'beta'],
    ['unpinned: decimal versions compare as numbers', [m('a', '1.5'), m('b', '1.25')], undefined, 'a'],
    ['unpinned: latest_version naming no version resolves to nothing', [m('v1', '1', '3'), m('v2', '2', '3')], undefined, undefined],
    ['only one entry declares latest_version: it holds for the name', [m('v1', '1', '1'), m('v2', '2')], undefined, 'v1'],
    ['a name versioned and not (an old publication): the latest version wins', [m('plain'), m('v2', '2', '2')], undefined, 'v2'],
    ['a name versioned and not, its latest missing: the unversioned entry', [m('plain'), m('v2', '2', '3')], undefined, 'plain'],
    ['no candidates', [], undefined, undefined],
  ];
  it.each(table)('%s', (_case, candidates, pinned, expected) => {
    expect(pick(candidates, pinned)).toBe(expected);
  });

  it('reads versions written as numbers (YAML v: 2) the same as text', () => {
    const numeric = [{ id: 'v1', v: 1, l: 2 }, { id: 'v2', v: 2, l: 2 }];
    expect(resolveVersion(numeric, undefined, (e) => ({ version: e.v, latestVersion: e.l }))?.id).toBe('v2');
    expect(resolveVersion(numeric, 1, (e) => ({ version: e.v, latestVersion: e.l }))?.id).toBe('v1');
  });
});

describe('version order and kind', () => {
  it.each([
    ['9', '10', -1], ['10', '9', 1], ['2', '2', 0], ['1.5', '1.25', 1], ['alpha', 'beta', -1], ['10', '2_beta', -1],
  ] as const)('compareVersions(%s, %s) has the sign %i', (a, b, sign) => {
    expect(Math.sign(compareVersions(a, b))).toBe(sign);
  });

  it('the latest version: declared, else the highest', () => {
    expect(latestVersion(['1', '2', '10'])).toBe('10');
    expect(latestVersion(['1', '2', '10'], '2')).toBe('2');
    expect(latestVersion([])).toBeUndefined();
  });

  it.each([
    ['2', '2', 'latest'], ['3', '2', 'prerelease'], ['1', '2', 'old'], [undefined, '2', 'unversioned'], ['1', undefined, 'unversioned'],
  ] as const)('version %s against latest %s is %s', (version, latest, kind) => {
    expect(versionKind(version, latest)).toBe(kind);
  });
});
