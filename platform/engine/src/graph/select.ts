import { MeshError } from '@mesh/errors';
import { isModelLike, type GraphNode, type ResourceType, type TestNode, type UnitTestNode } from '../types';
import { didYouMean } from '../util/did-you-mean';
import { reach, type Dag } from './dag';

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
  /** Keep sources in the selection (never built, so left out otherwise): `source freshness` selects them. */
  includeSources?: boolean;
  /**
   * Which tests a selection brings along, as dbt's indirect_selection: `eager` (dbt's default) a test of
   * any selected node; `cautious` only when all it reads is selected (unselected sources aside);
   * `buildable` when all it reads is selected or upstream of what is; `empty` none. Default cautious.
   */
  indirectSelection?: 'eager' | 'cautious' | 'buildable' | 'empty';
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

const RESOURCE_TYPES: readonly ResourceType[] = ['model', 'seed', 'snapshot', 'source', 'test', 'unit_test'];
const ACCESS_LEVELS = ['private', 'protected', 'public'];
// `data`/`schema` are dbt's pre-1.0 names, still accepted there.
const TEST_TYPES: Record<string, 'generic' | 'singular' | 'unit' | 'data'> = {
  generic: 'generic',
  singular: 'singular',
  schema: 'generic',
  unit: 'unit',
  data: 'data',
};

/** Data tests and unit tests: both are selected with the nodes they test. */
const isTest = (node: GraphNode | undefined): node is TestNode | UnitTestNode => node?.resource_type === 'test' || node?.resource_type === 'unit_test';
const FILE_EXTENSION = /\.(sql|csv|py|ya?ml)$/i;

/**
 * The ids of the models, seeds and tests to run. Sources are never returned (they are not executed),
 * though `source:` criteria feed graph operators and select the tests on those sources.
 */
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
    // Every set built below is freshly allocated, so unions and removals mutate in place
    // instead of copying: on 10,000 nodes the copies cost more than the matching.
    const evaluateAll = (entries: string[] | undefined): Set<string> | undefined => {
      const selectors = splitSelectors(entries);
      if (!selectors.length) return undefined;
      let union: Set<string> | undefined;
      for (const selector of selectors) {
        const matched = this.evaluateSelector(selector);
        if (!matched.size && !unmatched.includes(selector)) unmatched.push(selector);
        union = union ? addAll(union, matched) : matched;
      }
      return union;
    };

    const chosen = evaluateAll(options.select);
    const excluded = evaluateAll(options.exclude);
    if (excluded) {
      // A test on an excluded node would run against something this invocation did not build.
      for (const id of [...excluded]) {
        for (const child of this.dag.children.get(id) ?? []) {
          if (isTest(this.dag.nodes.get(child))) excluded.add(child);
        }
      }
    }
    const types = options.resourceTypes?.length ? new Set(options.resourceTypes) : undefined;
    const wanted = (node: GraphNode | undefined): node is GraphNode =>
      node !== undefined && (node.resource_type !== 'source' || options.includeSources === true) && (!types || types.has(node.resource_type));
    const selected = new Set<string>();

    if (!chosen) {
      for (const [id, node] of this.dag.nodes) if (wanted(node) && !excluded?.has(id)) selected.add(id);
      return { selected, unmatched };
    }

    if (excluded) for (const id of excluded) chosen.delete(id);
    // Only a child of a selected node can qualify, so walk those rather than every test in the graph:
    // a narrow selection then costs next to nothing.
    const tests: string[] = [];
    const checked = new Set<string>();
    const mode = options.indirectSelection ?? 'cautious';
    const upstream = mode === 'buildable' ? reach(this.dag, chosen, 'up') : undefined;
    const qualifies = (test: TestNode | UnitTestNode): boolean => {
      if (mode === 'eager') return test.depends_on.nodes.some((p) => chosen.has(p));
      if (mode === 'buildable') return test.depends_on.nodes.every((p) => upstream!.has(p) || !this.dag.nodes.has(p));
      return this.testParentsSelected(test, chosen);
    };
    for (const id of mode === 'empty' ? [] : chosen) {
      for (const child of this.dag.children.get(id) ?? []) {
        if (chosen.has(child)) continue;
        const node = this.dag.nodes.get(child);
        if (!isTest(node) || checked.has(child)) continue;
        checked.add(child);
        if (!excluded?.has(child) && qualifies(node)) tests.push(child);
      }
    }
    for (const id of tests) chosen.add(id);
    // Selection order, not DAG order: ordering by the DAG would cost a lookup per node in the graph
    // rather than per node selected, and the executor orders topologically anyway.
    for (const id of chosen) if (wanted(this.dag.nodes.get(id))) selected.add(id);
    return { selected, unmatched };
  }

  /**
   * Models and seeds must all be selected, since an unselected one may not be built yet.
   * Sources always exist, so they only count for tests that have nothing else to hang on.
   * Checks membership first and the node's type only when it decides something.
   */
  private testParentsSelected(test: TestNode | UnitTestNode, kept: Set<string>): boolean {
    let keptParents = 0;
    let unselectedSource = false;
    for (const parent of test.depends_on.nodes) {
      if (kept.has(parent)) {
        keptParents++;
        continue;
      }
      const node = this.dag.nodes.get(parent);
      if (!node) continue; // not in the graph (disabled, or another project's): buildDag drops the edge too
      if (node.resource_type !== 'source') return false;
      unselectedSource = true;
    }
    if (!keptParents) return false;
    if (!unselectedSource) return true;
    return test.depends_on.nodes.some((p) => kept.has(p) && this.dag.nodes.get(p)?.resource_type !== 'source');
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
    for (const other of rest) {
      for (const id of smallest!) if (!other.has(id)) smallest!.delete(id);
    }
    return smallest!;
  }

  private evaluateCriterion(c: Criterion): Set<string> {
    const seeds = this.match(c);
    if (!seeds.size) return seeds;
    if (c.childrensParents) {
      return reach(this.dag, reach(this.dag, seeds, 'down', Infinity), 'up', Infinity);
    }
    // The two directions are walked separately: a node reached going up must not stop the walk going down.
    const up = c.parents === undefined ? undefined : reach(this.dag, seeds, 'up', c.parents);
    const down = c.children === undefined ? undefined : reach(this.dag, seeds, 'down', c.children);
    if (up && down) return addAll(up, down);
    return up ?? down ?? seeds;
  }

  private match(c: Criterion): Set<string> {
    const { method, value } = c;
    if (method === '') {
      if (value.includes('/') || value.includes('\\')) return this.filter(pathMatcher(value));
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
        return this.filter((n) => isModelLike(n) && n.config.access === value);
      case 'group': {
        const re = glob(value);
        return this.filter((n) => isModelLike(n) && typeof n.config.group === 'string' && re.test(n.config.group));
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
        // dbt's `data` means every data test (generic and singular); `unit` the unit tests.
        if (type === 'unit') return this.filter((n) => n.resource_type === 'unit_test');
        if (type === 'data') return this.filter((n) => n.resource_type === 'test');
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
    const add = (key: string, id: string) => {
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
  const version = node.resource_type === 'model' || node.resource_type === 'seed' ? node.version : undefined;
  if (version === undefined) return pathMatches(node.fqn, parts);
  const tag = `v${version}`;
  const bare = node.fqn[node.fqn.length - 1] === tag ? node.fqn.slice(0, -1) : node.fqn;
  return pathMatches(bare, parts) || pathMatches([...bare, tag], parts);
}

function hasSingleName(node: GraphNode, name: string): boolean {
  if (node.name === name || node.fqn[0] === name) return true;
  const version = node.resource_type === 'model' || node.resource_type === 'seed' ? node.version : undefined;
  return version !== undefined && name === `${node.name}_v${version}`;
}

function pathMatches(fqn: string[], parts: RegExp[]): boolean {
  if (parts.length > fqn.length) return false;
  if (parts.every((re, i) => re.test(fqn[i]!))) return true;
  const offset = fqn.length - parts.length;
  return parts.every((re, i) => re.test(fqn[offset + i]!));
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

/** Adds the smaller set into the larger and returns the larger; both must be owned by the caller. */
function addAll(a: Set<string>, b: Set<string>): Set<string> {
  if (a.size < b.size) [a, b] = [b, a];
  for (const id of b) a.add(id);
  return a;
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
