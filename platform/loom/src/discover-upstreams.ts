import { createWriteStream, existsSync, mkdirSync, readdirSync, readFileSync, realpathSync, renameSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { basename, dirname, isAbsolute, join, resolve } from 'node:path';
import semver from 'semver';
import { latestRelease, readRelease, releaseSatisfying } from '@mesh/contract';
import { MeshError } from '@mesh/errors';
import { findProjectFile, readProjectFile, type ModelNode, type ParsedProject, type UpstreamProject } from '@mesh/engine';
import { contractPathOf, parsePublishedManifest, publicationFacts, type PublicationFacts, type PublicationVersion, type PublishedManifest, type PublishedNode } from './published-manifest';
import { nodesFromContract } from './contract-nodes';
import { CONTRACT_FILE, PUBLISHED_DIR } from './publish';
import { pinPublication } from './read-publication';
import { MANIFEST_FILE, VERSIONS_DIR } from './publication-store';
import { addDbtLoomUpstreams, assertDependenciesProvided } from './dbt-loom-config';
import { consumerView, publicationOf, type ConsumerView } from './consumer-view';
import { accessSection, planPublication } from './publication-plan';
import { importUpstreamShare, upstreamReading } from './cross-engine';
import { loadDataProduct, restrictsAccess } from '@mesh/governance';


/** Where a consumer found an upstream: a workspace package it depends on, a path, or a URL. */
export interface UpstreamSource {
  name: string;
  from: string;
  kind: 'workspace' | 'path' | 'url';
  optional: boolean;
  /** The package name and folder, for workspace upstreams. */
  packageName?: string;
  root?: string;
  /** The semver range of the upstream's releases this project accepts (`version:` of its upstream entry). */
  range?: string;
  /** The DuckDB file of a plain dbt project upstream (`database:` of its entry), absolute. */
  database?: string;
  /** A dbt-loom entry: its `name` is a label, the project is the one its manifest names. */
  manifestNamed?: boolean;
}

function readJson(path: string): unknown {
  return JSON.parse(readFileSync(path, 'utf8'));
}

/** The mesh project name of a package folder, or undefined when the package is not a mesh project. */
function projectNameOf(dir: string): { name: string; targetPath: string } | undefined {
  let file: string;
  try {
    file = findProjectFile(dir);
  } catch {
    return undefined;
  }
  const { project } = readProjectFile(file);
  return { name: project.name, targetPath: project['target-path'] ?? 'target' };
}

/** `workspace:^1.0.0` pins releases as `^1.0.0` does; `workspace:*` accepts whatever the workspace holds. */
function rangeOf(spec: string): string | undefined {
  const range = spec.replace(/^workspace:/, '');
  return range === '*' || range === '' || !semver.validRange(range) ? undefined : range;
}

/**
 * Upstreams a project declares: every dependency in its package.json that is a mesh project (as pnpm links
 * workspace packages into node_modules), plus the `upstreams:` of its project file (paths and URLs).
 */
export function declaredUpstreams(parsed: ParsedProject): UpstreamSource[] {
  const out = new Map<string, UpstreamSource>();
  const pkgPath = join(parsed.root, 'package.json');
  if (existsSync(pkgPath)) {
    const pkg = readJson(pkgPath) as { dependencies?: Record<string, string>; devDependencies?: Record<string, string> };
    const specs = { ...pkg.devDependencies, ...pkg.dependencies };
    for (const dep of Object.keys(specs)) {
      const link = join(parsed.root, 'node_modules', dep);
      if (!existsSync(link)) continue;
      const dir = realpathSync(link);
      const project = projectNameOf(dir);
      if (project) out.set(project.name, { name: project.name, from: join(dir, project.targetPath, PUBLISHED_DIR), kind: 'workspace', optional: false, packageName: dep, root: dir, range: rangeOf(specs[dep]!) });
    }
  }
  addDbtLoomUpstreams(out, parsed);
  for (const u of parsed.files.project.upstreams ?? []) {
    const from = u.from;
    if (!from) {
      if (!out.has(u.name)) {
        throw new MeshError('E_UPSTREAM_UNDECLARED', `upstream '${u.name}' has no from: and is not a dependency of this package`, {
          location: { file: parsed.files.projectFilePath },
          hint: `Add the '${u.name}' domain package to dependencies in package.json (workspace:*), or give from: a path or URL to its published manifest.`,
        });
      }
      out.get(u.name)!.optional = u.optional === true;
      out.get(u.name)!.range = u.version;
      continue;
    }
    const kind = /^https?:\/\//.test(from) ? 'url' : 'path';
    const database = u.database ? (isAbsolute(u.database) ? u.database : resolve(parsed.root, u.database)) : undefined;
    out.set(u.name, { name: u.name, from: kind === 'url' || isAbsolute(from) ? from : resolve(parsed.root, from), kind, optional: u.optional === true, range: u.version, database });
  }
  return [...out.values()];
}

/** A published model as a graph node of the consumer: compiled against, never built here. */
function toModelNode(e: PublishedNode, database: string): ModelNode {
  const config = e.config as ModelNode['config'];
  return {
    unique_id: e.unique_id,
    resource_type: e.resource_type,
    name: e.name,
    package_name: e.package_name,
    original_file_path: e.original_file_path,
    fqn: e.fqn,
    description: e.description,
    tags: e.tags,
    meta: {},
    config: { ...config, materialized: config.materialized as ModelNode['config']['materialized'], schema: e.schema, tags: e.tags, meta: {}, contract: { enforced: e.contract.enforced }, access: e.access, group: e.group ?? undefined },
    columns: Object.values(e.columns).map((c) => ({ name: c.name, description: c.description, data_type: c.data_type ?? undefined, constraints: [], tags: [], meta: {} })),
    raw_code: '',
    refs: [],
    sources: [],
    depends_on: { nodes: [], macros: [] },
    database,
    schema: e.schema,
    alias: e.alias,
    version: e.version === null ? undefined : String(e.version),
    latest_version: e.latest_version === null ? undefined : String(e.latest_version),
    deprecation_date: e.deprecation_date ?? undefined,
    checksum: e.checksum.checksum,
    external: true,
  };
}

/** A model the upstream keeps to itself: enough to refuse a ref to it with the reason. */
function restrictedNode(project: string, entry: PublishedNode): ModelNode {
  return {
    unique_id: entry.unique_id, resource_type: 'model', name: entry.name, package_name: project,
    original_file_path: '', fqn: [project, entry.name], description: '', tags: [], meta: {},
    config: { materialized: 'table', schema: '', tags: [], enabled: true, access: entry.access === 'public' ? 'protected' : entry.access, group: entry.group ?? undefined, contract: { enforced: false }, meta: {} },
    columns: [], raw_code: '', refs: [], sources: [], depends_on: { nodes: [], macros: [] },
    database: project, schema: '', alias: entry.name, version: entry.version === null ? undefined : String(entry.version), checksum: '', external: true,
  };
}

/**
 * Fetches an upstream's publication over http(s) into `target/upstreams/<name>/`: the manifest, then
 * the consumer's own database and the contract from the version folder the manifest names, each
 * checked against the size the manifest gives, and the manifest last, so the cache holds a whole
 * version or the previous one. A version removed on the server between the two requests (a newer
 * publication came) sends the download back to the manifest. When the upstream is unreachable, the
 * last fetched copy is used; only without one is it an error.
 */
async function fetchPublication(source: UpstreamSource, cacheDir: string, consumer: string): Promise<{ manifest: PublishedManifest; base: string }> {
  const url = source.from.endsWith('.json') ? source.from : `${source.from.replace(/\/$/, '')}/manifest.json`;
  const base = join(cacheDir, source.name);
  const cache = join(base, MANIFEST_FILE);
  try {
    for (let attempt = 1; ; attempt++) {
      const response = await fetch(url, { signal: AbortSignal.timeout(10_000) });
      if (!response.ok) throw new Error(`HTTP ${response.status}`);
      const text = await response.text();
      const manifest = parsePublishedManifest(text, url);
      const { publication } = publicationFacts(manifest);
      // Only the consumer's own share and the data files its views read are fetched: what it was not
      // granted never reaches its machine.
      const view = consumerView(publicationOf(manifest), consumer);
      const file = view.file;
      const shared = [...(file ? [file] : []), ...(view.data ?? [])];
      const wanted = [...shared, ...(publication?.contract || !publication ? [contractPathOf({ publication })] : [])];
      const fetched = await Promise.all(wanted.map((f) => download(new URL(f, url), join(base, f), publication?.files[f]?.bytes, shared.includes(f))));
      if (fetched.includes('gone')) {
        if (attempt < 5) continue;
        throw new Error(`the publication at ${url} changed five times while it was downloaded`);
      }
      mkdirSync(base, { recursive: true });
      writeFileSync(`${cache}.tmp`, text);
      renameSync(`${cache}.tmp`, cache);
      pruneCachedVersions(base, publication);
      return { manifest, base };
    }
  } catch (error) {
    if (error instanceof MeshError) throw error;
    if (existsSync(cache)) return { manifest: parsePublishedManifest(readFileSync(cache, 'utf8'), cache), base };
    throw new MeshError('E_UPSTREAM_UNREACHABLE', `upstream '${source.name}' is unreachable at ${url}: ${(error as Error).message}`, {
      hint: 'Check the URL and the network, or mark the upstream optional: true to build without it.',
    });
  }
}

/** Downloads one file of a version; `gone` when the server no longer has it (404), so the manifest is read again. */
async function download(url: URL, path: string, bytes: number | undefined, required: boolean): Promise<'ok' | 'gone' | 'absent'> {
  // A file of a version never changes: one already here whole is not fetched again.
  if (bytes !== undefined && existsSync(path) && statSync(path).size === bytes) return 'ok';
  const data = await fetch(url, { signal: AbortSignal.timeout(60_000) });
  if (data.status === 404) return required || bytes !== undefined ? 'gone' : 'absent';
  if (!data.ok || !data.body) throw new Error(`HTTP ${data.status} for ${url.href}`);
  mkdirSync(dirname(path), { recursive: true });
  const tmp = `${path}.${process.pid}.tmp`;
  await pipeline(Readable.fromWeb(data.body as import('node:stream/web').ReadableStream), createWriteStream(tmp));
  const size = statSync(tmp).size;
  if (bytes !== undefined && size !== bytes) {
    rmSync(tmp, { force: true });
    throw new Error(`${url.href} arrived with ${size} bytes, not the ${bytes} its manifest gives`);
  }
  renameSync(tmp, path);
  return 'ok';
}

/** Cached versions other than the one just fetched and the one before go (the consumer reads only the newest). */
function pruneCachedVersions(base: string, publication: PublicationVersion | undefined): void {
  const dir = join(base, VERSIONS_DIR);
  if (!existsSync(dir) || !publication) return;
  const current = publication.id;
  const older = readdirSync(dir).filter((v) => v < current).sort();
  for (const v of older.slice(0, -1)) rmSync(join(dir, v), { recursive: true, force: true });
}

/**
 * The published manifest a path means. A dbt-loom config written for dbt points at the producer's
 * `target/manifest.json`; when the mesh built the producer, its publication sits beside it in
 * `target/published/`, and that is what a consumer reads (public models and their data only).
 */
function publicationPath(from: string): string {
  const path = from.endsWith('.json') ? from : join(from, 'manifest.json');
  if (basename(path) !== 'manifest.json' || basename(dirname(path)) === PUBLISHED_DIR) return path;
  const beside = join(dirname(path), PUBLISHED_DIR, 'manifest.json');
  return existsSync(beside) ? beside : path;
}

/** A consumer pins the releases it accepts; a publication outside that range is refused, not silently used. */
function assertVersionInRange(source: UpstreamSource, facts: PublicationFacts, parsed: ParsedProject): void {
  const version = facts.version;
  if (!source.range || !version || semver.satisfies(version, source.range, { includePrerelease: true })) return;
  throw new MeshError('E_UPSTREAM_VERSION', `${parsed.name} accepts ${source.name} ${source.range}, but ${source.name} publishes ${version}`, {
    location: { file: parsed.files.projectFilePath },
    hint: `Check what changed (mesh contract check), adapt the models that use ${source.name}, then move version: in the upstreams entry for '${source.name}'.`,
  });
}

/** Reads every declared upstream's publication: its public models become injectable graph nodes. */
export interface LoadUpstreamsOptions {
  /**
   * For commands that read no data (contract checks): a workspace upstream that has not published yet
   * is read from its released contract instead (the release its range accepts, or the latest).
   */
  fallbackToContracts?: boolean;
  /** Told about an optional upstream that is left out (unreachable, not published). */
  onWarning?(warning: MeshError): void;
}

/**
 * On a server the consumer reads its share schema there: on PostgreSQL an empty database names the
 * schema as it is; on Trino the share schema is in the producer's catalog.
 */
function inShare(node: ModelNode, schema: string | undefined, catalog: string | undefined): ModelNode {
  return { ...node, database: catalog ?? '', schema: schema ?? `${node.package_name}_share_none`, config: { ...node.config, schema: schema ?? node.config.schema } };
}

/** A model as this consumer sees it: without the columns withheld from it. */
function visible(node: ModelNode, view: ConsumerView): ModelNode {
  const withheld = view.withheld.get(node.unique_id)?.columns;
  return withheld ? { ...node, columns: node.columns.filter((c) => !withheld.includes(c.name)) } : node;
}

/**
 * A plain dbt project as an upstream: its own `target/manifest.json` names the public models, and the
 * DuckDB file dbt-duckdb built holds them. The file is attached under the catalog name its relations
 * carry (the file's name), so the project's views, which name their own catalog, read as they are.
 */
function dbtProjectUpstream(source: UpstreamSource, facts: PublicationFacts, parsed: ParsedProject): UpstreamProject {
  const catalogs = [...new Set(facts.nodes.map((n) => n.database ?? ''))];
  if (!source.database) {
    throw new MeshError('E_UPSTREAM_DATABASE', `upstream '${source.name}' is a dbt project's manifest: it does not say where the data is`, {
      location: { file: parsed.files.projectFilePath },
      hint: `Add database: to the upstreams entry of '${source.name}', the DuckDB file its dbt build writes (for example ../${source.name}/target/${source.name}.duckdb).`,
    });
  }
  if (catalogs.length > 1) {
    throw new MeshError('E_UPSTREAM_DATABASE', `the public models of '${source.name}' live in more than one database (${catalogs.join(', ')}); one DuckDB file is attached per upstream`, {
      location: { file: parsed.files.projectFilePath },
      hint: `Build the public models of '${source.name}' into one database (its dbt profile's path).`,
    });
  }
  const alias = catalogs[0] || source.name;
  return {
    name: source.name,
    version: facts.version,
    nodes: [...facts.nodes.map((n) => toModelNode(n, alias)), ...facts.restricted.map((r) => restrictedNode(source.name, r))],
    database: { path: source.database, alias },
    refused: new Map(),
    withheld: new Map(),
  };
}

function fromReleasedContract(source: UpstreamSource, consumer: string): UpstreamProject | undefined {
  if (!source.root) return undefined;
  const release = source.range ? releaseSatisfying(source.root, source.range) : latestRelease(source.root);
  if (!release) return undefined;
  const contract = readRelease(release);
  const nodes = nodesFromContract(contract);
  // The grants are the upstream's descriptor's, read where it lives: a ref it does not grant is refused here too.
  const product = loadDataProduct(source.root);
  const access = restrictsAccess(product) ? accessSection(product, planPublication(source.name, nodes, product)) : undefined;
  const view = consumerView({ project: source.name, access, nodes }, consumer);
  return { name: source.name, version: contract.version, nodes: nodes.map((n) => visible(n, view)), refused: view.refused, withheld: view.withheld };
}

export async function loadUpstreams(parsed: ParsedProject, options: LoadUpstreamsOptions = {}): Promise<UpstreamProject[]> {
  const out = await readUpstreams(parsed, options);
  assertDependenciesProvided(parsed, out.map((u) => u.name));
  return out;
}

async function readUpstreams(parsed: ParsedProject, options: LoadUpstreamsOptions): Promise<UpstreamProject[]> {
  const out: UpstreamProject[] = [];
  const cacheDir = join(parsed.root, parsed.files.project['target-path'] ?? 'target', 'upstreams');
  for (const source of declaredUpstreams(parsed)) {
    try {
      let manifest: PublishedManifest;
      let base: string | undefined;
      if (source.kind === 'url') {
        ({ manifest, base } = await fetchPublication(source, cacheDir, parsed.name));
      } else {
        const path = publicationPath(source.from);
        const released = !existsSync(path) && options.fallbackToContracts ? fromReleasedContract(source, parsed.name) : undefined;
        if (released) {
          out.push(released);
          continue;
        }
        if (!existsSync(path)) {
          throw new MeshError('E_UPSTREAM_NOT_PUBLISHED', `upstream '${source.name}' has not published yet (no ${path})`, {
            hint: source.kind === 'workspace'
              ? `Build it first: mesh build in its package (${source.packageName}), or nx run-many -t build to build the mesh in order.`
              : 'Point from: at a folder with a published manifest.json, or publish the upstream first.',
          });
        }
        // Pinned for the rest of this process: the version it names stays on disk while the build reads it.
        const pinned = pinPublication(dirname(path), { reader: `build ${parsed.name}`, file: basename(path) });
        if (!pinned) throw new MeshError('E_UPSTREAM_NOT_PUBLISHED', `upstream '${source.name}' has not published yet (no ${path})`, { hint: 'Build it first.' });
        manifest = pinned.manifest;
        base = dirname(path);
      }
      const facts = publicationFacts(manifest);
      const name = source.manifestNamed ? facts.project : source.name;
      if (facts.project !== name) {
        throw new MeshError('E_UPSTREAM_MANIFEST', `upstream '${source.name}' points at the publication of '${facts.project}'`, {
          location: { file: parsed.files.projectFilePath },
          hint: `Fix the name or the from: of the upstream in ${parsed.files.projectFilePath}.`,
        });
      }
      assertVersionInRange(source, facts, parsed);
      const reading = upstreamReading(source, manifest, parsed);
      if (!facts.fromMesh) {
        out.push(dbtProjectUpstream({ ...source, name }, facts, parsed));
        continue;
      }
      const view = consumerView(publicationOf(manifest), parsed.name);
      const located = (node: ModelNode) => (reading === 'in-place' ? inShare(node, view.schema, view.catalog) : node);
      const imported = reading === 'import' ? await importUpstreamShare(source, manifest, view, parsed, cacheDir) : undefined;
      out.push({
        name,
        version: facts.version,
        publication: facts.publication?.id ?? facts.generatedAt,
        nodes: [...facts.nodes.map((n) => located(visible(toModelNode(n, name), view))), ...facts.restricted.map((r) => restrictedNode(name, r))],
        database: imported ? { path: imported } : base && view.file ? { path: join(base, view.file), ...(view.data && view.dir ? { files: join(base, view.dir) } : {}) } : undefined,
        refused: view.refused,
        withheld: view.withheld,
      });
    } catch (error) {
      if (source.optional && error instanceof MeshError && error.code !== 'E_UPSTREAM_ENGINE') {
        // Built without it: the models that ref it fail to compile naming the upstream; the rest build.
        const warn = options.onWarning ?? ((w: MeshError) => parsed.warnings.push(w));
        warn(new MeshError('W_UPSTREAM_OPTIONAL', `optional upstream '${source.name}' is left out: ${error.message}`, {
          hint: `Models that ref '${source.name}' cannot build until it is reachable; exclude them (--exclude) or publish '${source.name}'.`,
        }));
        continue;
      }
      throw error;
    }
  }
  return out;
}
