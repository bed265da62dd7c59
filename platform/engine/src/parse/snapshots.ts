import { posix } from 'node:path';
import { MeshError, type SourceLocation } from '@mesh/errors';
import type { ProjectFiles, PropertiesSource } from '../load/load-project';
import type { ColumnInput, SnapshotPropertiesInput } from '../load/schemas';
import type { ColumnDef, ModelNode, NodeConfig, RefCall } from '../types';
import { digest } from '../util/digest';
import { configKeyLine } from '../util/line-of-text';
import { folderConfig, mergeConfig } from './folder-config';
import { parseRelationCall } from './relation-call';
import { Relation } from './relation';
import { snapshotBlocks } from './snapshot-blocks';
import { snapshotSpec } from './snapshot-config';

/** What the project parser lends the snapshot parser: rendering, config defaults, and where nodes go. */
export interface SnapshotParseContext {
  files: ProjectFiles;
  project: string;
  database: string;
  /** Renders SQL at parse time (refs become placeholders); config() calls are merged into `config`. */
  render(path: string, text: string, thisRelation: Relation, config: Record<string, unknown>): { sql: string; refs: RefCall[]; sources: ModelNode['sources'] };
  normalize(config: Record<string, unknown>): NodeConfig;
  /** The relation a node with these configs builds, by the project's naming (dbt's generate_schema_name and the rest). */
  place(config: Record<string, unknown>, node: { unique_id: string; name: string; original_file_path: string; path: string; fqn: string[] }): { schema: string; alias: string; database: string };
  columns(input: ColumnInput[] | undefined): ColumnDef[];
  /** Adds the node with its parse-time SQL, and the generic tests its properties declare. */
  add(node: ModelNode, rendered: { sql: string; refs: RefCall[]; sources: ModelNode['sources'] }, text: string, props?: { entry: SnapshotPropertiesInput; file: PropertiesSource; index: number }): void;
}

interface SnapshotProps {
  entry: SnapshotPropertiesInput;
  file: PropertiesSource;
  index: number;
}

/**
 * Snapshots as dbt parses them: `{% snapshot %}` blocks in files under snapshot-paths, and (dbt 1.9)
 * entries of `snapshots:` in properties files with a `relation:`, which snapshot that relation as it is.
 * Configs come from the project file's `snapshots:` tree, then the properties entry, then the block's
 * own config() call; target_schema names the schema as it is, as in dbt.
 */
export function parseSnapshots(ctx: SnapshotParseContext): void {
  const { files, project } = ctx;
  const props = new Map<string, SnapshotProps>();
  for (const file of files.properties) {
    (file.data.snapshots ?? []).forEach((entry, index) => {
      const other = props.get(entry.name);
      if (other) {
        throw new MeshError('E_DUPLICATE_PROPERTIES', `snapshot '${entry.name}' is described twice`, {
          location: { file: file.path, line: file.lineOf(['snapshots', index]) },
          hint: `It is also described in ${other.file.path}; keep one entry.`,
        });
      }
      props.set(entry.name, { entry, file, index });
    });
  }
  const used = new Set<string>();
  const projectLocation = (): SourceLocation => ({ file: files.projectFilePath, line: files.projectLineOf(['snapshots']) });

  const build = (args: {
    name: string;
    path: string;
    /** The path below its resource folder, as dbt's node.path. */
    inside: string;
    fqn: string[];
    rawCode: string;
    /** The SQL as rendered (a block's body, or `select * from {{ relation }}`), lines as in the file. */
    text: string;
    /** Where the snapshot is declared: its block, or its properties entry. */
    declared: SourceLocation;
    /** Lines of config() keys in the SQL, for blocks. */
    sqlKeyLine?: (key: string) => SourceLocation | undefined;
  }) => {
    const entry = props.get(args.name);
    if (entry) used.add(args.name);
    const folder = folderConfig(files.project.snapshots, project, args.fqn.slice(1));
    const yaml = (entry?.entry.config ?? {}) as Record<string, unknown>;
    const config: Record<string, unknown> = { ...folder };
    mergeConfig(config, yaml);
    const uniqueId = `snapshot.${project}.${args.name}`;
    // target_schema names the schema as it is (dbt's older config); schema goes through the project's naming.
    const place = (c: Record<string, unknown>) => {
      const placed = ctx.place(c, { unique_id: uniqueId, name: args.name, original_file_path: args.path, path: args.inside, fqn: args.fqn });
      return { ...placed, schema: typeof c.target_schema === 'string' && c.target_schema ? c.target_schema : placed.schema };
    };
    const preliminary = place(config);
    const fromSql: Record<string, unknown> = {};
    const rendered = ctx.render(args.path, args.text, new Relation(preliminary.database, preliminary.schema, preliminary.alias), fromSql);
    mergeConfig(config, fromSql);
    const locate = (key: string): SourceLocation => {
      if (key in fromSql) return args.sqlKeyLine?.(key) ?? args.declared;
      if (entry && key in yaml) return { file: entry.file.path, line: entry.file.lineOf(['snapshots', entry.index, 'config', key]) };
      if (key in folder) return projectLocation();
      return args.declared;
    };
    const final = ctx.normalize(config);
    if (!final.enabled) return;
    const spec = snapshotSpec(args.name, config, locate);
    const targetDatabase = config.target_database ?? config.database;
    if (targetDatabase !== undefined && targetDatabase !== null && targetDatabase !== ctx.database) {
      const key = config.target_database !== undefined ? 'target_database' : 'database';
      throw new MeshError('E_SNAPSHOT_CONFIG', `snapshot ${args.name}: ${key} '${String(targetDatabase)}' is another database; a project builds into its own ('${ctx.database}')`, {
        location: locate(key),
        hint: 'Remove it, and use target_schema (or schema) to choose where the snapshot table goes.',
      });
    }
    final.materialized = 'snapshot';
    const where = place(config);
    final.schema = where.schema;
    const node: ModelNode = {
      unique_id: uniqueId,
      resource_type: 'snapshot',
      name: args.name,
      package_name: project,
      original_file_path: args.path,
      patch_path: entry?.file.path,
      fqn: args.fqn,
      description: entry?.entry.description ?? '',
      tags: final.tags,
      meta: final.meta,
      config: final,
      columns: ctx.columns(entry?.entry.columns),
      raw_code: args.rawCode,
      refs: rendered.refs,
      sources: rendered.sources,
      depends_on: { nodes: [], macros: [] },
      database: where.database,
      schema: where.schema,
      alias: where.alias,
      checksum: digest('sha256', args.rawCode, 'hex'),
      snapshot: spec,
    };
    ctx.add(node, rendered, args.text, entry);
  };

  for (const file of files.snapshots) {
    const root = files.snapshotPaths.find((p) => file.path.startsWith(`${p.replace(/\/+$/, '')}/`)) ?? '';
    const inside = file.path.slice(root.replace(/\/+$/, '').length + 1).replace(/\.sql$/, '');
    for (const block of snapshotBlocks(file.path, file.text)) {
      const blockStart = block.body.length - block.raw.length;
      const firstLine = block.body.slice(0, blockStart).split('\n').length;
      build({
        name: block.name,
        path: file.path,
        inside: `${inside}.sql`,
        fqn: [project, ...inside.split('/'), block.name],
        rawCode: block.raw,
        text: block.body,
        declared: { file: file.path, line: block.line },
        sqlKeyLine: (key) => {
          const line = configKeyLine(block.raw, key);
          return line === undefined ? undefined : { file: file.path, line: firstLine + line - 1 };
        },
      });
    }
  }

  for (const [name, { entry, file, index }] of props) {
    if (used.has(name)) continue;
    if (entry.relation === undefined) {
      throw new MeshError('E_PROPERTIES_ORPHAN', `properties describe snapshot '${name}', but no {% snapshot ${name} %} block defines it`, {
        location: { file: file.path, line: file.lineOf(['snapshots', index, 'name']) },
        hint: `Add relation: ref('...') or source('...', '...') to snapshot that relation as it is, or write the block in a file under ${files.snapshotPaths.join(', ')}.`,
      });
    }
    const call = parseRelationCall(entry.relation);
    if (!call || 'this' in call) {
      throw new MeshError('E_SNAPSHOT_CONFIG', `snapshot ${name}: relation must be a ref() or source() call, got ${JSON.stringify(entry.relation)}`, {
        location: { file: file.path, line: file.lineOf(['snapshots', index, 'relation']) },
        hint: "Write relation: ref('orders') or relation: source('raw', 'orders').",
      });
    }
    const folders = posix.dirname(file.path).split('/').slice(1).filter((f) => f && f !== '.');
    const text = `select * from {{ ${entry.relation.trim()} }}`;
    build({
      name,
      path: file.path,
      inside: file.path.split('/').slice(1).join('/'),
      fqn: [project, ...folders, name],
      rawCode: text,
      text,
      declared: { file: file.path, line: file.lineOf(['snapshots', index]) },
    });
  }
}
