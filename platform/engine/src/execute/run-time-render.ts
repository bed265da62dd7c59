import { MeshError } from '@mesh/errors';
import { resolveVersion } from '@mesh/model-versions';
import type { Compiler } from '../compile/compile';
import type { Dag } from '../graph/dag';
import type { Resolution } from '../graph/resolve-refs';
import type { RenderHooks } from '../jinja/context';
import { renderWithIntrospection, type Answerer, type IntrospectionRequest } from '../jinja/introspection';
import type { ParsedProject, RunHooks } from '../parse/parse-project';
import { Relation, ResolvedRelation } from '../parse/relation';
import { isModelLike, type GraphNode, type ModelNode, type RefCall, type SourceCall } from '../types';
import type { AdapterSession } from './adapter';

/**
 * Renders at run time what dbt renders at run time: a node that read `execute` or asked the database while
 * parsing, an incremental model merging into its table, hooks, and `run-operation` macros. `execute` is true,
 * refs are the relations the graph resolved, and every question reaches the node's database session
 * (see jinja/introspection.ts for how a synchronous render waits for it).
 */
export class RunTimeRenderer {
  constructor(
    private readonly parsed: ParsedProject,
    private readonly dag: Dag,
    private readonly resolution: Resolution,
    private readonly compiler: Compiler,
  ) {}

  /**
   * The adapter's answers to a template's questions. A statement with auto_begin opens a transaction, as dbt's
   * connections do, which adapter.commit() ends; what is left open when the render ends is committed (a node
   * or hook, as dbt's materializations commit) or rolled back (run-operation, which dbt never commits).
   */
  answerer(session: AdapterSession): Answerer & { finish(how: 'commit' | 'rollback'): Promise<void> } {
    let open = false;
    const answer = async (request: IntrospectionRequest) => {
      switch (request.kind) {
        case 'statement':
          if (request.autoBegin && !open) {
            await session.runStatement('BEGIN TRANSACTION', false);
            open = true;
          }
          return session.runStatement(request.sql, request.fetch);
        case 'commit':
          if (open) await session.runStatement('COMMIT', false);
          open = false;
          return null;
        case 'columns':
          return session.columnsOf(request.relation);
        case 'relation': {
          const kind = await session.relationKind(request.relation);
          return kind ? { kind } : null;
        }
        case 'relations':
          return session.relationsLike(request.database, request.schemaPattern, request.identifierPattern, request.exclude);
      }
    };
    return Object.assign(answer, {
      finish: async (how: 'commit' | 'rollback') => {
        if (!open) return;
        open = false;
        await session.runStatement(how === 'commit' ? 'COMMIT' : 'ROLLBACK', false);
      },
    });
  }

  /** How templates see a node of the graph at run time: its relation, printed as compiled SQL names it. */
  relationOf(node: GraphNode): Relation {
    const sql = this.compiler.relationName(node);
    if (node.resource_type === 'source') return new ResolvedRelation(node.database, node.schema, node.identifier, sql, 'table');
    if (!isModelLike(node)) return new Relation(this.parsed.target.database, this.parsed.target.schema, node.name);
    const type = node.config.materialized === 'ephemeral' ? 'cte' : node.config.materialized === 'view' ? 'view' : 'table';
    return new ResolvedRelation(node.database, node.schema, node.config.materialized === 'ephemeral' ? `__dbt__cte__${node.alias}` : node.alias, sql, type);
  }

  /**
   * A node's SQL rendered again with `execute` true: the same refs as at parse time (a ref only the run-time
   * render makes is an error, as in dbt, since the graph was built without it), ephemerals as CTEs.
   */
  async nodeSql(node: ModelNode | Extract<GraphNode, { resource_type: 'test' }>, session: AdapterSession, isIncremental: boolean): Promise<string> {
    const body = await this.renderNode(node, session, isIncremental);
    await this.renderDynamicEphemerals(node, session);
    return this.compiler.withEphemerals(node.unique_id, body.replace(/;\s*$/, '').trimEnd());
  }

  private async renderNode(node: GraphNode, session: AdapterSession, isIncremental: boolean): Promise<string> {
    const template = this.parsed.templates.get(node.unique_id);
    const parse = this.parsed.rendered.get(node.unique_id);
    if (!template || !parse) throw new Error(`no template for ${node.unique_id}`);
    const refTargets = this.resolution.refTargets.get(node.unique_id) ?? [];
    const sourceTargets = this.resolution.sourceTargets.get(node.unique_id) ?? [];
    const ref = (call: RefCall): Relation => {
      const i = parse.refs.findIndex((r) => r.name === call.name && (r.project ?? '') === (call.project ?? '') && (r.version ?? '') === (call.version ?? ''));
      if (i < 0) {
        throw new MeshError('E_REF_UNDECLARED', `${node.unique_id} refs '${call.name}' only when it renders at run time`, {
          location: { file: node.original_file_path },
          node: node.unique_id,
          hint: `The graph is built from the parse-time render (execute false, is_incremental() false), as in dbt; add a line \`-- depends_on: {{ ref('${call.name}') }}\` to the model.`,
        });
      }
      return this.relationOf(this.dag.nodes.get(refTargets[i]!)!);
    };
    const source = (call: SourceCall): Relation => {
      const i = parse.sources.findIndex((s) => s.source === call.source && s.table === call.table);
      if (i < 0) {
        throw new MeshError('E_REF_UNDECLARED', `${node.unique_id} reads source('${call.source}', '${call.table}') only when it renders at run time`, {
          location: { file: node.original_file_path },
          node: node.unique_id,
          hint: `Add a line \`-- depends_on: {{ source('${call.source}', '${call.table}') }}\` to the model, so the graph knows it.`,
        });
      }
      return this.relationOf(this.dag.nodes.get(sourceTargets[i]!)!);
    };
    const thisRelation = isModelLike(node) ? this.relationOf(node) : new Relation(this.parsed.target.database, this.parsed.target.schema, node.name);
    return this.render((run) => template(run), { ref, source, thisRelation, isIncremental }, session);
  }

  /** Ephemeral ancestors that introspect are rendered at run time too, before they are inlined. */
  private async renderDynamicEphemerals(node: GraphNode, session: AdapterSession): Promise<void> {
    for (const ancestor of this.compiler.ephemeralsOf(node.unique_id)) {
      if (this.parsed.rendered.get(ancestor.unique_id)?.dynamic && !this.compiler.hasRunTimeBody(ancestor.unique_id)) {
        const sql = await this.renderNode(ancestor, session, false);
        this.compiler.setRunTimeBody(ancestor.unique_id, sql.replace(/;\s*$/, '').trimEnd());
      }
    }
  }

  /** Renders until the render completes, every question answered by the session; the clock holds still meanwhile. */
  async render(template: (hooks: RunHooks) => string, base: Omit<RunHooks, 'introspection' | 'now'>, session: AdapterSession, uncommitted: 'commit' | 'rollback' = 'commit'): Promise<string> {
    const now = Date.now();
    const answerer = this.answerer(session);
    try {
      const { value } = await renderWithIntrospection((introspection) => template({ ...base, introspection, now: () => now }), answerer);
      await answerer.finish(uncommitted);
      return value;
    } catch (error) {
      await answerer.finish('rollback').catch(() => undefined);
      throw error;
    }
  }

  /**
   * SQL written outside any node's file (a hook, a run-operation's macro call), rendered at run time in the
   * context of `pkg` with refs looked up by name, as dbt resolves them in hooks and operations.
   */
  async renderText(text: string, where: { file: string; pkg?: string; thisRelation?: Relation; globals?: Record<string, unknown> }, session: AdapterSession): Promise<string> {
    const jinja = this.parsed.jinja;
    const pkg = where.pkg ?? this.parsed.name;
    const template = jinja.compile(where.file, text, pkg);
    const hooks = (run: RunHooks): RenderHooks => ({
      ...run,
      config: () => undefined,
      vars: this.parsed.varsFor(pkg),
      env: this.parsed.env,
      package: pkg,
      execute: true,
      globals: where.globals,
      log: (message) => this.parsed.logs.push(message),
    });
    return this.render((run) => template.render(hooks(run)), {
      ref: (call) => this.relationOf(this.refByName(call, where.file)),
      source: (call) => this.relationOf(this.sourceByName(call, where.file)),
      thisRelation: where.thisRelation ?? new Relation(this.parsed.target.database, this.parsed.target.schema, ''),
      isIncremental: false,
    }, session);
  }

  private refByName(call: RefCall, file: string): GraphNode {
    const candidates = [...this.dag.nodes.values()].filter((n) => isModelLike(n) && n.name === call.name && (!call.project || n.package_name === call.project)) as ModelNode[];
    const pick = resolveVersion(candidates, call.version, (c) => ({ version: c.version, latestVersion: c.latest_version }));
    if (!pick) {
      throw new MeshError('E_REF_UNKNOWN', `ref('${call.name}') refers to a model that does not exist`, { location: { file }, hint: 'Check the model name.' });
    }
    return pick;
  }

  private sourceByName(call: SourceCall, file: string): GraphNode {
    const found = [...this.dag.nodes.values()].find((n) => n.resource_type === 'source' && n.source_name === call.source && n.name === call.table);
    if (!found) throw new MeshError('E_SOURCE_UNKNOWN', `source('${call.source}', '${call.table}') is not defined`, { location: { file }, hint: 'Declare it under sources: in a properties file.' });
    return found;
  }
}
