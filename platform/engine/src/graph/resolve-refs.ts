import { MeshError } from '@mesh/errors';
import { resolveVersion } from '@mesh/model-versions';
import type { ParsedProject } from '../parse/parse-project';
import { lineOfText } from '../util/line-of-text';
import { isModelLike, type GraphNode, type ModelNode, type RefCall, type SourceCall } from '../types';
import { didYouMean } from '../util/did-you-mean';

/** Another project's public models, injected from its published manifest (the platform's loom). */
export interface UpstreamProject {
  name: string;
  nodes: ModelNode[];
  /**
   * Where the upstream's published data lives; attached read-only under `alias` (the catalog name its
   * relations are quoted with), the project's name unless said otherwise. `files`: the folder the
   * relative paths of the database's views are resolved against (a share of views).
   */
  database?: { path: string; alias?: string; files?: string };
  /** The version of the upstream's published contract (its package version). */
  version?: string;
  /** Which publication of the upstream this is (its version id): a view over it reads other data once it changes. */
  publication?: string;
  /**
   * Public models this project may not read (the upstream did not grant them to it), by unique id,
   * with why and what to do: a ref to one is refused at compile time.
   */
  refused?: Map<string, { reason: string; hint: string }>;
  /** Columns of a granted model left out for this project (personal data it has no clearance for). */
  withheld?: Map<string, { columns: string[]; hint: string }>;
}

export interface Resolution {
  /** Every node of the graph: the project's own plus the upstream nodes it refs. */
  nodes: GraphNode[];
  /** For each node id, the unique id each of its refs (by index) and sources (by index) resolves to. */
  refTargets: Map<string, string[]>;
  sourceTargets: Map<string, string[]>;
  warnings: MeshError[];
  /** Columns withheld from the upstream models the project refs, to explain a build that reads one. */
  withheld: Map<string, { columns: string[]; hint: string }>;
}

export interface ResolveOptions {
  upstreams?: UpstreamProject[];
  /** Packages of the build whose dbt_project.yml sets `restrict-access: true` (the project's own included). */
  restrictAccess?: ReadonlySet<string>;
  /** Fail instead of warning when a ref points at a model past its deprecation_date. */
  failOnDeprecated?: boolean;
  now?: Date;
}

interface Candidates {
  byName: Map<string, ModelNode[]>;
}

function index(nodes: Iterable<GraphNode>): Candidates {
  const byName = new Map<string, ModelNode[]>();
  for (const node of nodes) {
    if (!isModelLike(node)) continue;
    const list = byName.get(node.name) ?? [];
    list.push(node);
    byName.set(node.name, list);
  }
  return { byName };
}

function describeRef(call: RefCall): string {
  const args = [call.project, call.name].filter(Boolean).map((a) => `'${a}'`);
  if (call.version) args.push(`v=${call.version}`);
  return `ref(${args.join(', ')})`;
}

function refLine(node: GraphNode, call: RefCall): number | undefined {
  if (!('raw_code' in node) || !node.raw_code) return undefined;
  const escaped = call.name.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
  return lineOfText(node.raw_code, new RegExp(`ref\\([^)]*['"]${escaped}['"]`));
}

/** The version a ref means, by dbt's rule (the pinned one, else latest_version, else the highest). */
function pickVersion(call: RefCall, candidates: ModelNode[]): ModelNode | undefined {
  return resolveVersion(candidates, call.version, (c) => ({ version: c.version, latestVersion: c.latest_version }));
}

function accessError(from: GraphNode, target: ModelNode, reason: string, hint: string, call: RefCall): MeshError {
  return new MeshError(
    'E_REF_ACCESS',
    `Node ${from.unique_id} attempted to reference node ${target.unique_id}, which is not allowed because ${reason}`,
    { location: { file: from.original_file_path, line: refLine(from, call) }, node: from.unique_id, hint },
  );
}

/**
 * dbt's access rules. A private model is for its group; a protected one for its own project and the
 * packages installed with it. Across a package that sets `restrict-access: true`, and across projects of
 * a mesh (which dbt-loom treats so), both are refused. A seed in the same build has no access: dbt checks
 * models only. From another project a seed comes in as a model does, with its access.
 */
function checkAccess(from: GraphNode, target: ModelNode, call: RefCall, ownGroupOf: (n: GraphNode) => string | undefined, restricted: (pkg: string) => boolean): void {
  if (target.resource_type === 'seed' && !target.external) return;
  const access = target.config.access;
  const otherPackage = target.package_name !== from.package_name;
  const crossProject = otherPackage && (target.external === true || restricted(target.package_name));
  if (access === 'private') {
    const group = target.config.group;
    if (crossProject || !group || ownGroupOf(from) !== group) {
      throw accessError(
        from, target,
        `the referenced node is private to the '${group ?? '(no group)'}' group.`,
        crossProject
          ? `Private models are for their own group only. Ask the owners of '${target.package_name}' for a public model with what you need.`
          : `Move ${from.name} into the '${group}' group, or make ${target.name} protected or public.`,
        call,
      );
    }
  } else if (access === 'protected' && crossProject) {
    throw accessError(
      from, target,
      `the referenced node is protected to the '${target.package_name}' package.`,
      `Only public models can be referenced from another project. Ask the owners of '${target.package_name}' to make ${target.name} public (access: public), or use one of its public models.`,
      call,
    );
  }
}

/** Resolves every ref and source of the parsed project into graph edges, checking access and versions. */
export function resolveRefs(parsed: ParsedProject, options: ResolveOptions = {}): Resolution {
  const own = parsed.nodes;
  const local = index(own);
  const upstreams = new Map((options.upstreams ?? []).map((u) => [u.name, u]));
  const upstreamIndex = new Map([...upstreams].map(([name, u]) => [name, index(u.nodes)]));
  const sourcesByKey = new Map<string, GraphNode>();
  // A source of the referring node's package wins over one of the same name elsewhere, as in dbt.
  const sourcesByPackage = new Map<string, GraphNode>();
  for (const node of own) {
    if (node.resource_type !== 'source') continue;
    sourcesByPackage.set(`${node.package_name}|${node.source_name}.${node.name}`, node);
    if (!sourcesByKey.has(`${node.source_name}.${node.name}`) || node.package_name === parsed.name) sourcesByKey.set(`${node.source_name}.${node.name}`, node);
  }
  const byId = new Map(own.map((n) => [n.unique_id, n]));
  const injected = new Map<string, ModelNode>();
  const warnings: MeshError[] = [];
  const refTargets = new Map<string, string[]>();
  const sourceTargets = new Map<string, string[]>();
  const now = options.now ?? new Date();

  const groupOf = (node: GraphNode): string | undefined => {
    if ('config' in node && 'group' in node.config) return node.config.group as string | undefined;
    if (node.resource_type === 'test' && node.attached_node) {
      const attached = byId.get(node.attached_node);
      return attached && 'config' in attached ? (attached.config as { group?: string }).group : undefined;
    }
    return undefined;
  };

  const localPackages = new Set(parsed.files.packages.map((p) => p.name));
  /** dbt's choice among local models of one name: the referring node's package, then the root project. */
  const prefer = (from: GraphNode, list: ModelNode[] | undefined, pkg?: string): ModelNode[] | undefined => {
    if (!list || list.length < 2 && !pkg) return list;
    if (pkg) return list.filter((n) => n.package_name === pkg);
    const own = list.filter((n) => n.package_name === from.package_name);
    if (own.length) return own;
    const root = list.filter((n) => n.package_name === parsed.name);
    return root.length ? root : list;
  };

  const resolveRef = (from: GraphNode, call: RefCall): string => {
    const localPackage = call.project && (call.project === parsed.name || localPackages.has(call.project)) ? call.project : undefined;
    const projectName = call.project && !localPackage ? call.project : undefined;
    let candidates: ModelNode[] | undefined;
    let pool: Candidates;
    if (projectName) {
      const up = upstreamIndex.get(projectName);
      if (!up) {
        const known = [...upstreams.keys()];
        throw new MeshError('E_REF_UNKNOWN_PROJECT', `${describeRef(call)}: '${projectName}' is not an upstream project of '${parsed.name}'`, {
          location: { file: from.original_file_path, line: refLine(from, call) },
          node: from.unique_id,
          hint: known.length
            ? `Upstream projects are: ${known.join(', ')}. Declare '${projectName}' under upstreams: in the project file and as a dependency of the package.`
            : `Declare '${projectName}' under upstreams: in the project file and as a dependency of the package.`,
        });
      }
      pool = up;
    } else pool = local;
    candidates = projectName ? pool.byName.get(call.name) : prefer(from, pool.byName.get(call.name), localPackage);
    if (!candidates?.length) {
      const guess = didYouMean(call.name, pool.byName.keys());
      throw new MeshError('E_REF_UNKNOWN', `${describeRef(call)} refers to a model that does not exist${projectName ? ` in '${projectName}'` : ''}`, {
        location: { file: from.original_file_path, line: refLine(from, call) },
        node: from.unique_id,
        hint: guess ? `Did you mean '${guess}'?` : 'Check the model name, or create the model.',
      });
    }
    const target = pickVersion(call, candidates);
    if (!target) {
      const versions = candidates.map((c) => c.version).filter(Boolean);
      throw new MeshError('E_REF_VERSION', `${describeRef(call)}: version ${call.version ?? '(none)'} of '${call.name}' does not exist`, {
        location: { file: from.original_file_path, line: refLine(from, call) },
        node: from.unique_id,
        hint: versions.length ? `Available versions: ${versions.join(', ')}.` : `'${call.name}' is not versioned; drop v=.`,
      });
    }
    checkAccess(from, target, call, groupOf, (pkg) => options.restrictAccess?.has(pkg) === true);
    const refusal = target.external ? upstreams.get(target.package_name)?.refused?.get(target.unique_id) : undefined;
    if (refusal) {
      throw new MeshError(
        'E_REF_NOT_GRANTED',
        `Node ${from.unique_id} attempted to reference node ${target.unique_id}, which is not allowed because ${refusal.reason}`,
        { location: { file: from.original_file_path, line: refLine(from, call) }, node: from.unique_id, hint: refusal.hint },
      );
    }
    // As dbt: a model's own tests do not warn about its deprecation; the model itself does, once.
    if (target.deprecation_date && new Date(target.deprecation_date) <= now && from.resource_type !== 'test') {
      const warning = new MeshError('W_REF_DEPRECATED', `${from.unique_id} references ${target.unique_id}, which was deprecated on ${target.deprecation_date.slice(0, 10)}`, {
        location: { file: from.original_file_path, line: refLine(from, call) },
        node: from.unique_id,
        hint: target.latest_version && target.version !== target.latest_version ? `Move to version ${target.latest_version}: ${describeRef({ ...call, version: target.latest_version })}.` : 'Move to its replacement before it is removed.',
      });
      if (options.failOnDeprecated) throw new MeshError('E_REF_DEPRECATED', warning.message, { location: warning.location, node: warning.node, hint: warning.hint });
      warnings.push(warning);
    }
    if (target.external) injected.set(target.unique_id, target);
    return target.unique_id;
  };

  const resolveSource = (from: GraphNode, call: SourceCall): string => {
    const node = sourcesByPackage.get(`${from.package_name}|${call.source}.${call.table}`) ?? sourcesByKey.get(`${call.source}.${call.table}`);
    if (!node) {
      const guess = didYouMean(`${call.source}.${call.table}`, sourcesByKey.keys());
      const escaped = call.table.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
      const line = 'raw_code' in from && from.raw_code ? lineOfText(from.raw_code, new RegExp(`source\\([^)]*['"]${escaped}['"]`)) : undefined;
      throw new MeshError('E_SOURCE_UNKNOWN', `source('${call.source}', '${call.table}') is not defined`, {
        location: { file: from.original_file_path, line },
        node: from.unique_id,
        hint: guess ? `Did you mean '${guess}'?` : `Declare it under sources: in a properties file (name: ${call.source}, tables: [{name: ${call.table}}]).`,
      });
    }
    return node.unique_id;
  };

  for (const node of own) {
    if (node.resource_type !== 'model' || !node.deprecation_date || new Date(node.deprecation_date) > now) continue;
    warnings.push(new MeshError('W_MODEL_DEPRECATED', `model ${node.name}${node.version ? ` v${node.version}` : ''} has passed its deprecation date of ${node.deprecation_date.slice(0, 10)}; it should be disabled or removed`, {
      location: { file: node.patch_path ?? node.original_file_path },
      node: node.unique_id,
      hint: node.latest_version && node.version !== node.latest_version ? `Move its consumers to version ${node.latest_version}, then remove it.` : 'Remove it once nothing reads it, or move its deprecation_date.',
    }));
  }
  // Every node's refs are resolved before any error is thrown: a compile lists all that do not resolve.
  const errors: MeshError[] = [];
  for (const node of own) {
    if (node.resource_type === 'source') continue;
    try {
      const refs = node.refs.map((call) => resolveRef(node, call));
      const sources = node.sources.map((call) => resolveSource(node, call));
      refTargets.set(node.unique_id, refs);
      sourceTargets.set(node.unique_id, sources);
      node.depends_on.nodes = [...new Set([...refs, ...sources])];
    } catch (error) {
      if (!(error instanceof MeshError)) throw error;
      errors.push(error);
    }
  }
  if (errors.length) throw MeshError.all(errors);
  const withheld = new Map<string, { columns: string[]; hint: string }>();
  for (const id of injected.keys()) {
    const entry = upstreams.get(injected.get(id)!.package_name)?.withheld?.get(id);
    if (entry) withheld.set(id, entry);
  }
  return { nodes: [...own, ...injected.values()], refTargets, sourceTargets, warnings, withheld };
}
