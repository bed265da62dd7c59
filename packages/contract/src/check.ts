import { MeshError } from '@mesh/errors';
import { formatPath, type ParsedYaml } from '@mesh/validate';
import type { Contract } from './schema';
import { schemaObjectName } from './odcs';
import { targetLabel } from './targets';

interface Problem {
  path: PropertyKey[];
  message: string;
  hint: string;
}

/** Where a fact of a schema entry is written: a key of its own in legacy files, a custom property in ODCS ones. */
type FactPath = (i: number, fact: 'version' | 'latestVersion') => PropertyKey[];

/** The custom property holding a fact of schema object `i` in an ODCS file, to point at its line. */
function customPropertyPath(parsed: ParsedYaml, i: number, fact: string): PropertyKey[] {
  const list = (parsed.data as { schema?: Array<{ customProperties?: Array<{ property?: unknown }> }> }).schema?.[i]?.customProperties ?? [];
  const k = list.findIndex((p) => p.property === fact);
  return k === -1 ? ['schema', i, 'customProperties'] : ['schema', i, 'customProperties', k, 'value'];
}

/** Two entries whose tables have the same name would be one schema object to an ODCS tool. */
function duplicateTables(contract: Contract): Problem[] {
  const problems: Problem[] = [];
  const seen = new Map<string, number>();
  contract.schema.forEach((model, i) => {
    const table = schemaObjectName(model);
    const first = seen.get(table);
    if (first === undefined) seen.set(table, i);
    else if (contract.schema[first]!.name !== model.name || contract.schema[first]!.version !== model.version) {
      problems.push({
        path: ['schema', i, 'name'],
        message: `${targetLabel(model.name, model.version)} is published as table ${table}, as ${targetLabel(contract.schema[first]!.name, contract.schema[first]!.version)} is (schema[${first}])`,
        hint: 'Give one of the models another alias: a contract names each table once.',
      });
    }
  });
  return problems;
}

function duplicateEntries(contract: Contract): Problem[] {
  const problems: Problem[] = [];
  const seen = new Map<string, number>();
  contract.schema.forEach((model, i) => {
    const key = JSON.stringify([model.name, model.version]);
    const first = seen.get(key);
    if (first === undefined) seen.set(key, i);
    else
      problems.push({
        path: ['schema', i, 'name'],
        message: `${targetLabel(model.name, model.version)} is declared twice (also schema[${first}])`,
        hint: 'Keep one entry per model, or give each entry its own version.',
      });
  });
  return problems;
}

function duplicateColumns(contract: Contract): Problem[] {
  const problems: Problem[] = [];
  contract.schema.forEach((model, i) => {
    // DuckDB folds identifier case, so `Price` and `price` would be the same column of the table.
    const seen = new Set<string>();
    model.properties.forEach((property, j) => {
      const key = property.name.toLowerCase();
      if (!seen.has(key)) {
        seen.add(key);
        return;
      }
      problems.push({
        path: ['schema', i, 'properties', j, 'name'],
        message: `column ${property.name} of ${targetLabel(model.name, model.version)} is declared twice`,
        hint: 'A table has each column once: remove or rename one of them.',
      });
    });
  });
  return problems;
}

/** Versioned entries must agree on a latestVersion that exists, and a name is versioned or not, never both. */
function versioning(contract: Contract, factPath: FactPath): Problem[] {
  const problems: Problem[] = [];
  const byName = new Map<string, number[]>();
  contract.schema.forEach((model, i) => byName.set(model.name, [...(byName.get(model.name) ?? []), i]));

  for (const [name, indexes] of byName) {
    const entries = indexes.map((i) => ({ i, model: contract.schema[i]! }));
    const versions = entries.flatMap((e) => (e.model.version === null ? [] : [e.model.version]));
    const unversioned = entries.find((e) => e.model.version === null);
    const versioned = entries.find((e) => e.model.version !== null);
    if (unversioned && versioned) {
      const [later, other] = unversioned.i > versioned.i ? [unversioned, versioned] : [versioned, unversioned];
      problems.push({
        path: ['schema', later.i, 'name'],
        message: `${name} is declared both without a version and as ${targetLabel(name, versioned.model.version)} (also schema[${other.i}])`,
        hint: `Give every entry of ${name} a version (and a latestVersion), or keep a single unversioned entry.`,
      });
      continue;
    }
    let agreed: string | null | undefined;
    for (const { i, model } of entries) {
      const latest = model.latestVersion;
      if (model.version !== null && latest === null) {
        problems.push({
          path: factPath(i, 'version'),
          message: `${targetLabel(name, model.version)} has a version but no latestVersion`,
          hint: `Set latestVersion on every version of ${name}: the version an unpinned ref('${name}') resolves to.`,
        });
      } else if (latest !== null && !versions.includes(latest)) {
        problems.push({
          path: factPath(i, 'latestVersion'),
          message: `latestVersion ${latest} of ${name} names no declared version (${versions.length ? `versions: ${versions.join(', ')}` : 'it has none'})`,
          hint: `Point latestVersion at one of the versions of ${name} declared in this contract.`,
        });
      } else if (latest !== null && agreed !== undefined && agreed !== latest) {
        problems.push({
          path: factPath(i, 'latestVersion'),
          message: `the versions of ${name} disagree on latestVersion (${agreed} and ${latest})`,
          hint: `Give every version of ${name} the same latestVersion.`,
        });
      }
      if (latest !== null) agreed ??= latest;
    }
  }
  return problems;
}

/**
 * Rules the schema cannot express, found after validation. The first problem becomes the error, with its
 * line; all are listed in the details so the author fixes them in one pass.
 */
export function checkContract(parsed: ParsedYaml, contract: Contract, form: 'odcs' | 'legacy' = 'odcs'): void {
  const factPath: FactPath = form === 'odcs' ? (i, fact) => customPropertyPath(parsed, i, fact) : (i, fact) => ['schema', i, fact];
  const problems = [...duplicateEntries(contract), ...duplicateTables(contract), ...duplicateColumns(contract), ...versioning(contract, factPath)];
  const [first] = problems;
  if (!first) return;
  const at = (p: Problem) => {
    const line = parsed.lineOf(p.path);
    return `${parsed.file}${line ? `:${line}` : ''}: ${formatPath(p.path)}: ${p.message}`;
  };
  throw new MeshError('E_CONTRACT_INVALID', `data contract: ${formatPath(first.path)}: ${first.message}`, {
    location: { file: parsed.file, line: parsed.lineOf(first.path) },
    hint: first.hint,
    details: problems.length > 1 ? problems.map(at).join('\n') : undefined,
  });
}
