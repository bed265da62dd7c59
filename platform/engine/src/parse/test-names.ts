import { digest } from '../util/digest';
import { pythonStr, pythonStringRepr } from './python-text';

/**
 * dbt's names for generic tests. The full name is `<test>_<target>_<arguments>` and is the test's name,
 * fqn and unique id (with a hash of its metadata); names of 64 characters or more are shortened for the
 * test's alias (its compiled file and its store_failures table) to 30 characters and an md5 of the name.
 */

export interface TestNames {
  /** The test's name, fqn and unique id part. */
  name: string;
  /** The relation and file name: the name, or a shortened one when the name is 64 characters or more. */
  alias: string;
}

const md5 = (text: string) => digest('md5', text, 'hex');

/** Each argument's values, flattened in order of the argument names, as dbt spells them into the name. */
function flatArguments(args: Record<string, unknown>): string[] {
  const out: string[] = [];
  for (const key of Object.keys(args).sort()) {
    if (key === 'model') continue;
    const value = args[key];
    const parts = Array.isArray(value) ? value : value && typeof value === 'object' && !(value instanceof Date) ? Object.values(value) : [value];
    for (const part of parts) out.push(pythonStr(part));
  }
  return out;
}

/**
 * `testType` is the test's name with its prefixes (`source_`, a package namespace), `target` the tested
 * node's name (`<model>_v<version>` for a version, `<source>_<table>` for a source table).
 */
export function synthesizeTestNames(testType: string, target: string, args: Record<string, unknown>): TestNames {
  const unique = flatArguments(args).map((a) => a.replace(/[^0-9a-zA-Z_]+/g, '_')).join('__');
  const identifier = `${testType}_${target}`;
  const name = `${identifier}_${unique}`;
  return { name, alias: name.length >= 64 ? `${identifier.slice(0, 30)}_${md5(name)}` : name };
}

/**
 * Python's repr of the metadata as dbt makes it hashable: every leaf turned to its text, mappings with
 * their keys sorted. Written in one pass: a compile names ten thousand tests.
 */
function hashableRepr(value: unknown): string {
  if (Array.isArray(value)) {
    let out = '[';
    for (let i = 0; i < value.length; i++) out += (i ? ', ' : '') + hashableRepr(value[i]);
    return `${out}]`;
  }
  if (value && typeof value === 'object' && !(value instanceof Date)) {
    const record = value as Record<string, unknown>;
    let out = '{';
    let first = true;
    for (const key of Object.keys(record).sort()) {
      out += `${first ? '' : ', '}${pythonStringRepr(key)}: ${hashableRepr(record[key])}`;
      first = false;
    }
    return `${out}}`;
  }
  return pythonStringRepr(pythonStr(value));
}

/** The ten hex digits dbt appends to a generic test's unique id: the md5 of its name and metadata. */
export function testHash(name: string, metadata: { namespace?: string; name: string; kwargs: Record<string, unknown> }): string {
  // The keys dbt's metadata has, already in sorted order: kwargs, name, namespace.
  const repr = `{'kwargs': ${hashableRepr(metadata.kwargs)}, 'name': ${pythonStringRepr(metadata.name)}, 'namespace': ${pythonStringRepr(metadata.namespace ?? 'None')}}`;
  return md5(name + repr).slice(-10);
}

/** The `model` argument dbt gives a generic test: the tested relation, filtered by the test's `where`. */
export function modelArgument(target: { ref: { name: string; version?: string } } | { source: { source: string; table: string } }): string {
  const call = 'source' in target
    ? `source('${target.source.source}', '${target.source.table}')`
    : target.ref.version ? `ref('${target.ref.name}', version='${target.ref.version}')` : `ref('${target.ref.name}')`;
  return `{{ get_where_subquery(${call}) }}`;
}
