import { MeshError } from '@mesh/errors';
import type { Contract } from './schema';
import { consumerTargets, targetLabel, type ConsumerTarget } from './targets';

// Words a value or type cannot be named in a module, plus the generated module's own bindings.
const RESERVED = new Set(
  ('break case catch class const continue debugger default delete do else enum export extends false finally for ' +
    'function if import in instanceof new null return super switch this throw true try typeof var void while with ' +
    'as implements interface let package private protected public static yield await any boolean never number ' +
    'object string symbol undefined unknown bigint type contract z').split(' '),
);

function words(name: string): string[] {
  // An all-capitals word (PRODUCTS) reads as one word, not as P-R-O-D-U-C-T-S.
  return name.split(/[^A-Za-z0-9]+/).filter(Boolean).map((w) => (/^[A-Z0-9]+$/.test(w) ? w.toLowerCase() : w));
}

const upperFirst = (w: string) => w.charAt(0).toUpperCase() + w.slice(1);
const lowerFirst = (w: string) => w.charAt(0).toLowerCase() + w.slice(1);

function identifier(name: string): string {
  const safe = /^[0-9]/.test(name) || name === '' ? `_${name}` : name;
  return RESERVED.has(safe) ? `${safe}_` : safe;
}

/** `stock_product` -> `stockProduct`; with a version, `stockProductV2`. */
export function valueName(name: string, version: string | null = null): string {
  const [first = '', ...rest] = words(name);
  const suffix = version === null ? '' : `V${version.replace(/[^A-Za-z0-9]+/g, '_')}`;
  return identifier(lowerFirst(first) + rest.map(upperFirst).join('') + suffix);
}

/** `stock_product` -> `StockProduct`; with a version, `StockProductV2`. */
export function typeName(name: string, version: string | null = null): string {
  const suffix = version === null ? '' : `V${version.replace(/[^A-Za-z0-9]+/g, '_')}`;
  return identifier(words(name).map(upperFirst).join('') + suffix);
}

export interface NamedTarget extends ConsumerTarget {
  valueName: string;
  typeName: string;
}

/**
 * The contract's targets with the names consumers import them by. Two targets that would share a name
 * (`stock_product` and `stockProduct`) are an error rather than a silent overwrite.
 */
export function namedTargets(contract: Contract): NamedTarget[] {
  const taken = new Map<string, ConsumerTarget>();
  return consumerTargets(contract).map((target) => {
    const named = { ...target, valueName: valueName(target.name, target.version), typeName: typeName(target.name, target.version) };
    for (const name of [named.valueName, named.typeName]) {
      const other = taken.get(name);
      if (other && other.name !== target.name) {
        throw new MeshError('E_CONTRACT_NAMES', `${targetLabel(other.name, other.version)} and ${targetLabel(target.name, target.version)} would both be exported as ${name}`, {
          hint: 'Rename one of the models so their names differ by more than punctuation or case.',
        });
      }
      taken.set(name, target);
    }
    return named;
  });
}
