/**
 * Just enough of semantic versioning to validate what a descriptor declares: a version (`1.2.0`) and a
 * range in npm's syntax (`^1.2.0`, `~1.2`, `>=1.0.0 <2.0.0`, `1.x`, `1.0.0 - 1.4.0`, `a || b`). No
 * dependency on a full semver library: nothing here compares versions yet.
 */

const NR = '(?:0|[1-9]\\d*)';
const IDENT = '[0-9A-Za-z-]+';
const QUALIFIER = `(?:-${IDENT}(?:\\.${IDENT})*)?(?:\\+${IDENT}(?:\\.${IDENT})*)?`;
const VERSION = new RegExp(`^v?${NR}\\.${NR}\\.${NR}${QUALIFIER}$`);
const XR = `(?:[xX*]|${NR})`;
const PARTIAL = `v?${XR}(?:\\.${XR}(?:\\.${XR}${QUALIFIER})?)?`;
const SIMPLE = new RegExp(`^(?:[<>]=?|=|~|\\^)?${PARTIAL}$`);
const HYPHEN = new RegExp(`^${PARTIAL} - ${PARTIAL}$`);

export function isSemver(text: string): boolean {
  return VERSION.test(text);
}

export function isSemverRange(text: string): boolean {
  return text.split('||').every((alternative) => {
    // npm allows a space between an operator and its version (`>= 1.0.0`).
    const range = alternative.trim().replace(/([<>]=?|=|~|\^)\s+/g, '$1').replace(/\s+/g, ' ');
    if (range === '') return true;
    if (HYPHEN.test(range)) return true;
    return range.split(' ').every((part) => SIMPLE.test(part));
  });
}
