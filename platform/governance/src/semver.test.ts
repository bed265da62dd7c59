import { describe, expect, it } from 'vitest';
import { isSemver, isSemverRange } from './semver';

describe('semver', () => {
  it('accepts versions with pre-release and build parts', () => {
    for (const v of ['1.0.0', '0.12.3', '10.0.0-rc.1', '1.2.3+build.5', 'v2.0.0']) expect(isSemver(v), v).toBe(true);
    for (const v of ['1.0', '1', '01.0.0', '1.0.0.0', '1.x.0', 'latest', '']) expect(isSemver(v), v).toBe(false);
  });

  it("accepts ranges in npm's syntax", () => {
    for (const r of ['^1.0.0', '~1.2', '>=1.0.0 <2.0.0', '>= 1.0.0', '1.x', '*', '1.0.0 - 1.4.0', '^1.0.0 || ^2.0.0', '=1.2.3', '1.2.3-beta.1'])
      expect(isSemverRange(r), r).toBe(true);
    for (const r of ['>= banana', '^^1.0.0', '1.0.0 -', 'one', '>1.0.0 <'])
      expect(isSemverRange(r), r).toBe(false);
  });
});
