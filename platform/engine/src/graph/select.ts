import { MeshError } from '@mesh/errors';
import type { GraphNode, ResourceType, TestNode } from '../types';
import { didYouMean } from '../util/did-you-mean';
import type { Dag } from './dag';

/**
 * dbt's node selection syntax over the DAG.
 *
 *   select/exclude entry  := selector (' ' selector)*        union
 *   selector              := criterion (',' criterion)*      intersection
 *   criterion             := ['@'] [N] ['+'] [method ':'] value ['+' [N]]
 *
 * Every criterion is evaluated with one linear scan (or an index lookup for plain names)
 * and graph operators use one multi-source BFS, so a selection stays O(selectors * (V + E)).
 */

export interface SelectionOptions {
  select?: string[];
  exclude?: string[];
  resourceTypes?: ResourceType[];
}

export const SELECTOR_METHODS = [
  'fqn',
  'tag',
  'path',
  'file',
  'resource_type',
  'config.<key>',
  'access',
  'group',
  'package',
  'project',
  'source',
  'test_type',
  'test_name',
] as const;

const RESOURCE_TYPES: readonly ResourceType[] = ['model', 'seed', 'source', 'test'];
const ACCESS_LEVELS = ['private', 'protected', 'public'];
// `data`/`schema` are dbt's pre-1.0 names, still accepted there.
const TEST_TYPES: Record<string, 'generic' | 'singular'> = {
  generic: 'generic',
  singular: 'singular',
  schema: 'generic',
  data: 'singular',
};
const FILE_EXTENSION = /\.(sql|csv|py|ya?ml)$/i;

/** The node ids the selection picks, in DAG order. Sources are never returned: they are not executed. */
export function selectNodes(dag: Dag, options: SelectionOptions): Set<string> {
  return new Selection(dag).run(options).selected;
}

/** Selector strings (from `select` and `exclude`, as written) that matched no node, for "does not match any nodes" warnings. */
export function unmatchedSelectors(dag: Dag, options: SelectionOptions): string[] {
  return new Selection(dag).run(options).unmatched;
}

interface Criterion {
  raw: string;
  childrensParents: boolean;
  parents: number | undefined; // undefined = no operator, Infinity = unbounded
  children: number | undefined;
  method: string;
  value: string;
}

// Below this many plain-name lookups a scan is cheaper than building the index.
const INDEX_AFTER_LOOKUPS = 8;

class Selection {
  private nameIndex: Map<string, string[]> | undefined;
  private nameLookups = 0;

  constructor(private readonly dag: Dag) {}

  run(options: SelectionOptions): { selected: Set<string>; unmatched: string[] } {
    const unmatched: string[] = [];
    const evaluateAll = (entries: string[] | undefined): Set<string> | undefined => {
      const selectors = splitSelectors(entries);
      if (!selectors.length) return undefined;
      const union = new Set<string>();
      for (const selector of selectors) {
        const matched = this.evaluateSelector(selector);
        if (!matched.size && !unmatched.includes(selector)) unmatched.push(selector);
        for (const id of matched) union.add(id);
      }
      return union;
    };

    const chosen = evaluateAll(options.select) ?? new Set(this.dag.nodes.keys());
    const excluded = evaluateAll(options.exclude) ?? new Set<string>();
    // A test on an excluded node would run against something this invocation did not build.
    if (excluded.size) {
      for (const node of this.dag.nodes.values()) {
        if (node.resource_type !== 'test' || excluded.has(node.unique_id)) continue;
        for (const parent of this.parentsOf(node)) {
          if (excluded.has(parent)) {
            excluded.add(node.unique_id);
            break;
          }
        }
      }
    }
    const kept = new Set<string>();
    for (const id of chosen) if (!excluded.has(id)) kept.add(id);

    for (const node of this.dag.nodes.values()) {
      if (node.resource_type !== 'test' || kept.has(node.unique_id) || excluded.has(node.unique_id)) continue;
      if (this.testParentsSelected(node, kept)) kept.add(node.unique_id);
    }

    const types = options.resourceTypes?.length ? new Set(options.resourceTypes) : undefined;
    const selected = new Set<string>();
    // Iterate the DAG rather than `kept` so the result order does not depend on selector order.
    for (const [id, node] of this.dag.nodes) {
      if (!kept.has(id) || node.resource_type === 'source') continue;
      if (types && !types.has(node.resource_type)) continue;
      selected.add(id);
    }
    return { selected, unmatched };
  }

  private parentsOf(test: TestNode): string[] {
    return this.dag.parents.get(test.unique_id) ?? [];
  }

  /**
   * Models and seeds must all be selected, since an unselected one may not be built yet.
   * Sources always exist, so they only count for tests that have nothing else to hang on.
   */
  private testParentsSelected(test: TestNode, kept: Set<string>): boolean {
    const parents = this.parentsOf(test);
    let builtParents = 0;
    let sourcesSelected = true;
    for (const parent of parents) {
      if (this.dag.nodes.get(parent)?.resource_type === 'source') {
        if (!kept.has(parent)) sourcesSelected = false;
      } else {
        if (!kept.has(parent)) return false;
        builtParents++;
      }
    }
    return builtParents > 0 || (parents.length > 0 && sourcesSelected);
  }

  private evaluateSelector(selector: string): Set<string> {
    const parts = selector.split(',');
    if (parts.some((p) => !p)) {
      throw new MeshError('E_SELECTOR', `selector "${selector}" has an empty criterion`, {
        hint: 'Join criteria with single commas and no spaces, e.g. "tag:nightly,config.materialized:table".',
      });
    }
    const sets = parts.map((p) => this.evaluateCriterion(parseCriterion(p)));
    sets.sort((a, b) => a.size - b.size);
    const [smallest, ...rest] = sets;
    const result = new Set<string>();
    for (const id of smallest!) if (rest.every((s) => s.has(id))) result.add(id);
    return result;
  }

  private evaluateCriterion(c: Criterion): Set<string> {
    const seeds = this.match(c);
    if (!seeds.size) return seeds;
    if (c.childrensParents) {
      return reach(this.dag, reach(this.dag, seeds, 'down', Infinity), 'up', Infinity);
    }
    let result = seeds;
    if (c.parents !== undefined) result = union(result, reach(this.dag, seeds, 'up', c.parents));
    if (c.children !== undefined) result = union(result, reach(this.dag, seeds, 'down', c.children));
    return result;
  }

  private match(c: Criterion): Set<string> {
    const { method, value } = c;
    if (method === '') {
      if (value.includes('/')) return this.filter(pathMatcher(value));
      if (FILE_EXTENSION.test(value)) return this.filter(fileMatcher(value));
      return this.matchFqn(value);
    }
    if (method === 'fqn') return this.matchFqn(value);
    if (method.startsWith('config.')) return this.filter(configMatcher(method.slice('config.'.length), value));
    switch (method) {
      case 'tag': {
        const re = glob(value);
        return this.filter((n) => n.tags.some((t) => re.test(t)) || configTags(n).some((t) => re.test(t)));
      }
      case 'path':
        return this.filter(pathMatcher(value));
      case 'file':
        return this.filter(fileMatcher(value));
      case 'resource_type': {
        const type = value as ResourceType;
        if (!RESOURCE_TYPES.includes(type)) throw badValue(c, RESOURCE_TYPES);
        return this.filter((n) => n.resource_type === type);
      }
      case 'access':
        if (!ACCESS_LEVELS.includes(value)) throw badValue(c, ACCESS_LEVELS);
        return this.filter((n) => n.resource_type !== 'source' && n.resource_type !== 'test' && n.config.access === value);
      case 'group': {
        const re = glob(value);
        return this.filter(
          (n) => n.resource_type !== 'source' && typeof n.config.group === 'string' && re.test(n.config.group),
        );
      }
      case 'package':
      case 'project': {
        const re = glob(value);
        return this.filter((n) => re.test(n.package_name));
      }
      case 'source':
        return this.filter(sourceMatcher(value));
      case 'test_type': {
        const type = TEST_TYPES[value];
        if (!type) throw badValue(c, Object.keys(TEST_TYPES));
        return this.filter((n) => n.resource_type === 'test' && (n.test_metadata ? 'generic' : 'singular') === type);
      }
      case 'test_name': {
        const re = glob(value);
        return this.filter((n) => n.resource_type === 'test' && !!n.test_metadata && re.test(n.test_metadata.name));
      }
      default: {
        const suggestion = didYouMean(method, SELECTOR_METHODS);
        throw new MeshError('E_SELECTOR', `unknown selector method "${method}" in "${c.raw}"`, {
          hint:
            (suggestion ? `Did you mean "${suggestion}:"? ` : '') +
            `Selector methods: ${SELECTOR_METHODS.join(', ')}.`,
        });
      }
    }
  }

  private filter(predicate: (node: GraphNode) => boolean): Set<string> {
    const out = new Set<string>();
    for (const [id, node] of this.dag.nodes) if (predicate(node)) out.add(id);
    return out;
  }

  /**
   * Plain names are by far the most common selector, and tools pass hundreds at once (a list of
   * changed models), so repeated exact names go through an index; dotted paths and globs scan.
   * Sources are left out: a source table called `customers` must not hijack `customers+`.
   */
  private matchFqn(value: string): Set<string> {
    const parts = value.split('.');
    if (parts.length === 1 && !value.includes('*')) {
      if (++this.nameLookups > INDEX_AFTER_LOOKUPS) return new Set(this.index().get(value) ?? []);
      return this.filter((n) => n.resource_type !== 'source' && hasSingleName(n, value));
    }
    const res = parts.map(glob);
    return this.filter((n) => n.resource_type !== 'source' && fqnMatches(n, res));
  }

  private index(): Map<string, string[]> {
    if (this.nameIndex) return this.nameIndex;
    const index = new Map<string, string[]>();
    const add = (key: string | undefined, id: string) => {
      if (key === undefined) return;
      const ids = index.get(key);
      if (!ids) index.set(key, [id]);
      else if (ids[ids.length - 1] !== id) ids.push(id);
    };
    for (const [id, node] of this.dag.nodes) {
      if (node.resource_type === 'source') continue;
      for (const key of singleNames(node)) add(key, id);
    }
    this.nameIndex = index;
    return index;
  }
}

/** Names a one-part selector can match: the name, its versioned spellings, and the project (dbt selects a whole project by its name). */
function singleNames(node: GraphNode): string[] {
  const names = [node.name];
  const version = node.resource_type === 'model' || node.resource_type === 'seed' ? node.version : undefined;
  if (version !== undefined) names.push(`${node.name}_v${version}`);
  if (node.fqn[0] !== undefined) names.push(node.fqn[0]);
  return names;
}

/**
 * A dotted selector matches a prefix of the fqn (`shop.gold` = everything under models/gold),
 * a suffix (`gold.orders`), or a version (`orders.v2`). The fqn is tried with and without a
 * trailing `v<version>` because dbt puts the version in the fqn and a loader may not.
 */
function fqnMatches(node: GraphNode, parts: RegExp[]): boolean {
  if (parts.length === 1) return singleNames(node).some((n) => parts[0]!.test(n));
  for (const fqn of fqnVariants(node)) {
    if (parts.length > fqn.length) continue;
    if (parts.every((re, i) => re.test(fqn[i]!))) return true;
    const offset = fqn.length - parts.length;
    if (parts.every((re, i) => re.test(fqn[offset + i]!))) return true;
  }
  return false;
}

function hasSingleName(node: GraphNode, name: string): boolean {
  if (node.name === name || node.fqn[0] === name) return true;
  const version = node.resource_type === 'model' || node.resource_type === 'seed' ? node.version : undefined;
  return version !== undefined && name === `${node.name}_v${version}`;
}

function fqnVariants(node: GraphNode): string[][] {
  const version = node.resource_type === 'model' || node.resource_type === 'seed' ? node.version : undefined;
  if (version === undefined) return [node.fqn];
  const tag = `v${version}`;
  const withoutVersion = node.fqn[node.fqn.length - 1] === tag ? node.fqn.slice(0, -1) : node.fqn;
  return [withoutVersion, [...withoutVersion, tag]];
}

function configTags(node: GraphNode): string[] {
  if (node.resource_type === 'source') return [];
  return Array.isArray(node.config.tags) ? node.config.tags : [];
}

function normalizePath(path: string): string {
  return path.replace(/\\/g, '/').replace(/^(\.\/)+/, '').replace(/\/+$/, '');
}

/** A directory selects everything under it; a file selects itself; `*` stays in one segment, `**` crosses them. */
function pathMatcher(value: string): (node: GraphNode) => boolean {
  const wanted = normalizePath(value);
  if (!wanted.includes('*')) {
    return (n) => {
      const p = n.original_file_path;
      return p === wanted || (p.startsWith(wanted) && p[wanted.length] === '/');
    };
  }
  const body = wanted
    .split(/(\*\*|\*)/)
    .map((piece) => (piece === '**' ? '.*' : piece === '*' ? '[^/]*' : escapeRegExp(piece)))
    .join('');
  const re = new RegExp(`^${body}(?:/.*)?$`);
  return (n) => re.test(n.original_file_path);
}

/** dbt's `file:` matches the file name with or without its extension, wherever it lives. */
function fileMatcher(value: string): (node: GraphNode) => boolean {
  const re = glob(value);
  return (n) => {
    const base = n.original_file_path.slice(n.original_file_path.lastIndexOf('/') + 1);
    const stem = base.includes('.') ? base.slice(0, base.lastIndexOf('.')) : base;
    return re.test(base) || re.test(stem);
  };
}

/** `raw`, `raw.customers` or `package.raw.customers`. */
function sourceMatcher(value: string): (node: GraphNode) => boolean {
  const parts = value.split('.').map(glob);
  return (n) => {
    if (n.resource_type !== 'source') return false;
    const path = [n.package_name, n.source_name, n.name];
    switch (parts.length) {
      case 1:
        return parts[0]!.test(n.source_name);
      case 2:
        return parts[0]!.test(n.source_name) && parts[1]!.test(n.name);
      case 3:
        return parts.every((re, i) => re.test(path[i]!));
      default:
        return false;
    }
  };
}

/**
 * Values compare as strings so `config.enabled:true` and `config.materialized:table` read the same;
 * lists match when any element does, and dotted keys reach into objects (`config.contract.enforced:true`).
 */
function configMatcher(key: string, value: string): (node: GraphNode) => boolean {
  if (!key) {
    throw new MeshError('E_SELECTOR', `selector "config.:${value}" is missing the config key`, {
      hint: 'Write config.<key>:<value>, e.g. config.materialized:table.',
    });
  }
  const path = key.split('.');
  const re = glob(value);
  const test = (v: unknown): boolean =>
    Array.isArray(v) ? v.some(test) : v !== undefined && v !== null && typeof v !== 'object' && re.test(String(v));
  return (n) => {
    if (n.resource_type === 'source') return false;
    let current: unknown = n.config;
    for (const segment of path) {
      if (current === null || typeof current !== 'object') return false;
      current = (current as Record<string, unknown>)[segment];
    }
    return test(current);
  };
}

const CRITERION = /^(@)?(?:(\d*)\+)?(.*?)(?:\+(\d*))?$/;

function parseCriterion(raw: string): Criterion {
  const m = CRITERION.exec(raw)!;
  const [, at, up, body = '', down] = m;
  if (at && up !== undefined) {
    throw new MeshError('E_SELECTOR', `selector "${raw}" combines "@" with a leading "+"`, {
      hint: '"@x" already includes every ancestor of x and of its descendants; drop the leading "+".',
    });
  }
  const colon = body.indexOf(':');
  const method = colon === -1 ? '' : body.slice(0, colon);
  const value = colon === -1 ? body : body.slice(colon + 1);
  if (!value) {
    throw new MeshError('E_SELECTOR', `selector "${raw}" has nothing to match`, {
      hint: method ? `Give ${method}: a value, e.g. "${method}:something".` : 'Name a node, e.g. "orders" or "tag:nightly".',
    });
  }
  const depth = (digits: string | undefined) => (digits === undefined ? undefined : digits === '' ? Infinity : Number(digits));
  return { raw, childrensParents: !!at, parents: depth(up), children: depth(down), method, value };
}

function splitSelectors(entries: string[] | undefined): string[] {
  if (!entries) return [];
  return entries.flatMap((e) => e.split(/\s+/)).filter((s) => s.length > 0);
}

function badValue(c: Criterion, allowed: readonly string[]): MeshError {
  return new MeshError('E_SELECTOR', `"${c.value}" is not a valid value for ${c.method}: in "${c.raw}"`, {
    hint: `Use one of: ${allowed.join(', ')}.`,
  });
}

/** Nodes within `depth` edges of any seed, seeds included; one BFS for all seeds so a wide seed set stays linear. */
function reach(dag: Dag, seeds: Set<string>, direction: 'up' | 'down', depth: number): Set<string> {
  const edges = direction === 'up' ? dag.parents : dag.children;
  const seen = new Set(seeds);
  let frontier = [...seeds];
  for (let level = 0; level < depth && frontier.length; level++) {
    const next: string[] = [];
    for (const id of frontier) {
      for (const other of edges.get(id) ?? []) {
        if (!seen.has(other)) {
          seen.add(other);
          next.push(other);
        }
      }
    }
    frontier = next;
  }
  return seen;
}

function union(a: Set<string>, b: Set<string>): Set<string> {
  if (a.size < b.size) [a, b] = [b, a];
  const out = new Set(a);
  for (const id of b) out.add(id);
  return out;
}

const globCache = new Map<string, RegExp>();

/** Only `*` is a wildcard: `?` and brackets turn up in real values more often than in intent. */
function glob(pattern: string): RegExp {
  let re = globCache.get(pattern);
  if (!re) {
    re = new RegExp(`^${pattern.split('*').map(escapeRegExp).join('.*')}$`);
    if (globCache.size > 1000) globCache.clear();
    globCache.set(pattern, re);
  }
  return re;
}

function escapeRegExp(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}
