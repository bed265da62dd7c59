import { createHash, randomBytes } from 'node:crypto';
import { closeSync, existsSync, fsyncSync, mkdirSync, openSync, readFileSync, renameSync, statSync, writeSync } from 'node:fs';
import { dirname } from 'node:path';
import { fileSystemError } from '@mesh/errors';
import type { Dag } from '../graph/dag';
import type { GraphNode, ModelNode } from '../types';
import type { NodeStatus } from './results';

/**
 * What the database holds, node by node, and which tests passed on it: the journal that lets a
 * publication contain only a state in which every published model and the tests on it and on its
 * parents succeeded together, whatever was killed, selected or left out on the way.
 *
 * Every materialization gives its relation a new generation. A relation is marked dirty before it is
 * built and gets its generation once the database committed it, so a build killed in between leaves
 * a relation of unknown content, which nothing is published from until it is built again. A table
 * records the states of the parents it was built from; a view has no content of its own, so its
 * state is its definition over its parents' states. A test records the states it passed on. A
 * publication is fit when, for each public model and its ancestors, every table was built from its
 * parents as they are now and every test on them passed on the states they have now.
 *
 * The journal is appended line by line (an append survives kill -9; nothing else is written per
 * node) and rewritten compactly when a run opens it. It lives beside the database it describes.
 */

type Entry =
  | { k: 'db'; id: string }
  | { k: 'dirty'; n: string }
  | { k: 'built'; n: string; g: string; c: string; from: Record<string, string> }
  | { k: 'test'; n: string; s: NodeStatus; on: Record<string, string> };

interface Built {
  /** The generation of the relation's content. */
  g: string;
  /** The node's checksum (its SQL) when it was built. */
  c: string;
  /** The state of each parent it was built from. */
  from: Record<string, string>;
}

export interface TestRecord {
  s: NodeStatus;
  on: Record<string, string>;
}

export class BuildState {
  private built = new Map<string, Built>();
  private dirty = new Set<string>();
  private tests = new Map<string, TestRecord>();
  private fd: number | undefined;

  private constructor(readonly path: string, readonly database: string) {}

  /** Reads the journal of `database` (a different database's journal counts as none). */
  static load(path: string, database: string): BuildState {
    const state = new BuildState(path, database);
    if (!existsSync(path)) return state;
    let lines: string[];
    try {
      lines = readFileSync(path, 'utf8').split('\n');
    } catch (error) {
      throw fileSystemError(error, 'read the build state', path);
    }
    let sameDatabase = false;
    for (const line of lines) {
      if (!line) continue;
      let entry: Entry;
      try {
        entry = JSON.parse(line) as Entry;
      } catch {
        // A line cut short by a kill: what it would have said is unknown, and the next line starts afresh.
        continue;
      }
      if (entry.k === 'db') {
        sameDatabase = entry.id === database;
        continue;
      }
      if (!sameDatabase) continue;
      state.apply(entry);
    }
    return state;
  }

  private apply(entry: Entry): void {
    switch (entry.k) {
      case 'dirty':
        this.dirty.add(entry.n);
        break;
      case 'built':
        this.dirty.delete(entry.n);
        this.built.set(entry.n, { g: entry.g, c: entry.c, from: entry.from });
        break;
      case 'test':
        this.tests.set(entry.n, { s: entry.s, on: entry.on });
        break;
      default:
        break;
    }
  }

  /** Rewrites the journal as one line per node and keeps it open for appending. */
  open(): void {
    mkdirSync(dirname(this.path), { recursive: true });
    const tmp = `${this.path}.${process.pid}.tmp`;
    const lines: Entry[] = [{ k: 'db', id: this.database }];
    for (const [n, b] of this.built) lines.push({ k: 'built', n, ...b });
    for (const n of this.dirty) lines.push({ k: 'dirty', n });
    for (const [n, t] of this.tests) lines.push({ k: 'test', n, ...t });
    try {
      const fd = openSync(tmp, 'w');
      try {
        writeSync(fd, lines.map((l) => JSON.stringify(l)).join('\n') + '\n');
        fsyncSync(fd);
      } finally {
        closeSync(fd);
      }
      renameSync(tmp, this.path);
      this.fd = openSync(this.path, 'a');
    } catch (error) {
      throw fileSystemError(error, 'write the build state', this.path);
    }
  }

  private append(entry: Entry): void {
    this.apply(entry);
    if (this.fd === undefined) return;
    try {
      writeSync(this.fd, `${JSON.stringify(entry)}\n`);
    } catch (error) {
      throw fileSystemError(error, 'write the build state', this.path);
    }
  }

  /** Before a relation is built: until `built`, its content is unknown. */
  building(id: string): void {
    this.append({ k: 'dirty', n: id });
  }

  /** After the database committed a relation, with the parents' states it was built from. */
  builtFrom(id: string, checksum: string, from: Record<string, string>): void {
    this.append({ k: 'built', n: id, g: randomBytes(8).toString('hex'), c: checksum, from });
  }

  /** A build that failed and was rolled back: the relation holds what it held before. */
  unchanged(id: string): void {
    if (!this.dirty.has(id)) return;
    const before = this.built.get(id);
    if (before) this.append({ k: 'built', n: id, ...before });
  }

  /**
   * A table loaded outside the graph (`mesh ingest` into a source's table): dirty while the load runs,
   * then a new generation once it committed, so views and tests over the source see it changed.
   */
  loading(relation: string): void {
    this.building(sourceKey(relation));
  }

  loaded(relation: string, changed: boolean): void {
    const id = sourceKey(relation);
    if (changed || !this.built.has(id)) this.builtFrom(id, '', {});
    else this.unchanged(id);
  }

  tested(id: string, status: NodeStatus, on: Record<string, string>): void {
    this.append({ k: 'test', n: id, s: status, on });
  }

  recordOf(id: string): (Built & { dirty: boolean }) | undefined {
    const b = this.built.get(id);
    return b ? { ...b, dirty: this.dirty.has(id) } : undefined;
  }

  isDirty(id: string): boolean {
    return this.dirty.has(id);
  }

  testOf(id: string): TestRecord | undefined {
    return this.tests.get(id);
  }

  close(): void {
    if (this.fd === undefined) return;
    closeSync(this.fd);
    this.fd = undefined;
  }
}

/** The journal's name for a table loaded outside the graph: `relation:schema.table`. */
export const sourceKey = (relation: string): string => `relation:${relation.toLowerCase()}`;

const digest = (...parts: string[]) => createHash('sha256').update(parts.join('\u0000')).digest('hex').slice(0, 16);

/** What an external input (a source file, an upstream's publication) looks like now. */
export type ExternalState = (node: GraphNode) => string;

/** A relation whose content stays what its build wrote (tables, seeds, snapshots, external files), unlike a view. */
const isTableLike = (node: GraphNode) =>
  (node.resource_type === 'seed' || node.resource_type === 'snapshot' || node.resource_type === 'model') &&
  !(node.resource_type === 'model' && (node.config.materialized === 'view' || node.config.materialized === 'ephemeral'));
const isExternal = (node: GraphNode) => node.resource_type === 'source' || ('external' in node && node.external === true);

/** A source file's size and time of change: enough to tell that a view over it reads other data now. */
export function fileFingerprint(path: string): string {
  try {
    const s = statSync(path);
    return `${s.size}:${s.mtimeMs}`;
  } catch {
    return 'missing';
  }
}

/**
 * The state of each node as the database holds it now, from the journal: a table's generation, a
 * view's definition over its parents' states, an external input's fingerprint. Undefined for a relation
 * of unknown content (never recorded, or dirty).
 */
export class NodeStates {
  private memo = new Map<string, string | undefined>();

  constructor(
    private readonly dag: Dag,
    private readonly state: BuildState,
    private readonly external: ExternalState,
    /** Cache states (for a finished run); a running build changes them as it goes. */
    private readonly cache = false,
  ) {}

  stateOf(id: string): string | undefined {
    if (this.cache && this.memo.has(id)) return this.memo.get(id);
    const value = this.compute(id);
    if (this.cache) this.memo.set(id, value);
    return value;
  }

  private compute(id: string): string | undefined {
    const node = this.dag.nodes.get(id);
    if (!node) return undefined;
    if (node.resource_type === 'source') {
      // A source table that ingestion loads has generations of its own; a file read in place, its fingerprint.
      const key = sourceKey(`${node.schema}.${node.identifier}`);
      if (this.state.isDirty(key)) return undefined;
      const loaded = this.state.recordOf(key);
      return loaded ? `l:${loaded.g}` : `x:${this.external(node)}`;
    }
    if (isExternal(node)) return `x:${this.external(node)}`;
    if (node.resource_type === 'test' || node.resource_type === 'unit_test') return undefined;
    const record = this.state.recordOf(id);
    if (isTableLike(node)) return record && !record.dirty ? `t:${record.g}` : undefined;
    // A view or an ephemeral model has no content of its own: its definition over its parents' states.
    const definition = (node as ModelNode).config.materialized === 'view' ? (record && !record.dirty ? record.c : undefined) : (node as ModelNode).checksum;
    if (definition === undefined) return undefined;
    const parents: string[] = [];
    for (const p of this.dag.parents.get(id) ?? []) {
      const s = this.stateOf(p);
      if (s === undefined) return undefined;
      parents.push(`${p}=${s}`);
    }
    return `v:${digest(definition, ...parents.sort())}`;
  }

  /** The states of the nodes `id` reads, for the journal. */
  parentStates(id: string): Record<string, string> {
    const out: Record<string, string> = {};
    const node = this.dag.nodes.get(id);
    const deps = node && 'depends_on' in node ? node.depends_on.nodes : [];
    for (const p of deps) {
      const s = this.stateOf(p);
      if (s !== undefined) out[p] = s;
    }
    return out;
  }
}

export interface UnfitReason {
  node: string;
  reason: string;
}

/**
 * Why the database's content of these models cannot be published together, or nothing when it can:
 * every model and ancestor of the project built (not dirty) and, for tables, from its parents as they
 * are now; every test on any of them passed on the states they have now; every published model built
 * from its current SQL.
 */
export function unfitToPublish(dag: Dag, state: BuildState, external: ExternalState, models: string[]): UnfitReason[] {
  const states = new NodeStates(dag, state, external, true);
  const closure = new Set<string>();
  const stack = [...models];
  while (stack.length) {
    const id = stack.pop()!;
    if (closure.has(id)) continue;
    const node = dag.nodes.get(id);
    if (!node || isExternal(node)) continue;
    closure.add(id);
    stack.push(...(dag.parents.get(id) ?? []));
  }
  const out: UnfitReason[] = [];
  for (const id of closure) {
    const node = dag.nodes.get(id)!;
    if (node.resource_type === 'model' && node.config.materialized === 'ephemeral') continue;
    const record = state.recordOf(id);
    if (!record) {
      out.push({ node: id, reason: 'has not been built with this database yet' });
      continue;
    }
    if (record.dirty) {
      out.push({ node: id, reason: 'was being built when a run stopped; its content is unknown' });
      continue;
    }
    if (models.includes(id) && record.c !== (node as ModelNode).checksum) out.push({ node: id, reason: 'changed since it was built' });
    if (!isTableLike(node)) continue;
    for (const p of dag.parents.get(id) ?? []) {
      const parent = dag.nodes.get(p);
      // A table holds a copy of what it read from a source file or an upstream: a newer file does not make it a mix.
      if (!parent || isExternal(parent)) continue;
      const now = states.stateOf(p);
      if (now === undefined) continue; // reported for the parent itself
      if (record.from[p] !== now) out.push({ node: id, reason: `was built from an earlier ${parent.name} than the database holds now` });
    }
  }
  for (const node of dag.nodes.values()) {
    if (node.resource_type !== 'test' || !node.config.enabled) continue;
    if (!node.depends_on.nodes.some((d) => closure.has(d))) continue;
    const record = state.testOf(node.unique_id);
    if (!record) {
      out.push({ node: node.unique_id, reason: 'has not run on the current data' });
      continue;
    }
    if (record.s !== 'pass' && record.s !== 'warn') {
      out.push({ node: node.unique_id, reason: `${record.s === 'fail' ? 'failed' : 'did not succeed'} on the current data` });
      continue;
    }
    const stale = node.depends_on.nodes.find((d) => record.on[d] === undefined || record.on[d] !== states.stateOf(d));
    if (stale) out.push({ node: node.unique_id, reason: `has not run since ${dag.nodes.get(stale)?.name ?? stale} changed` });
  }
  return out;
}

/** The digest of the states of these models: equal digests mean the same data. */
export function statesDigest(dag: Dag, state: BuildState, external: ExternalState, models: string[]): string {
  const states = new NodeStates(dag, state, external, true);
  return digest(...models.slice().sort().map((m) => `${m}=${states.stateOf(m) ?? '?'}`));
}
