import { join, relative, sep } from 'node:path';
import type { GraphNode, ModelNode, ParsedProject, RefCall } from '@mesh/engine';

/**
 * Where a finding points: the YAML entry that describes a model or column, or the SQL line of a ref.
 * Findings name files relative to the repository root, so one report covers every domain.
 */

type PropertiesFile = ParsedProject['files']['properties'][number];

export interface Place {
  file: string;
  line: number;
}

/** A model's entry in a properties file: the file and the YAML path to the entry (or its version's entry). */
export interface ModelEntry {
  properties: PropertiesFile;
  path: Array<string | number>;
  /** The column list that applies to this node: the version's own, then the model's. */
  columnPaths: Array<Array<string | number>>;
}

export class Locator {
  constructor(
    private readonly parsed: ParsedProject,
    private readonly repoRoot: string,
  ) {}

  /** A project file's path as the repository sees it. */
  repoPath(projectFile: string): string {
    const rel = relative(this.repoRoot, join(this.parsed.root, projectFile));
    return sep === '/' ? rel : rel.split(sep).join('/');
  }

  entryOf(node: ModelNode): ModelEntry | undefined {
    for (const properties of this.parsed.files.properties) {
      const models = properties.data.models ?? [];
      for (let i = 0; i < models.length; i++) {
        const model = models[i]!;
        if (model.name !== node.name) continue;
        const path = ['models', i];
        const vi = node.version === undefined ? -1 : (model.versions ?? []).findIndex((v) => v.v === node.version);
        if (vi < 0) return { properties, path, columnPaths: [[...path, 'columns']] };
        const versionPath = [...path, 'versions', vi];
        return { properties, path: versionPath, columnPaths: [[...versionPath, 'columns'], [...path, 'columns']] };
      }
    }
    return undefined;
  }

  /** A key of the model's YAML entry (`config.contract`) when written, else the entry; the SQL file when undescribed. */
  model(node: ModelNode, ...keys: string[]): Place {
    const entry = this.entryOf(node);
    if (!entry) return { file: this.repoPath(node.original_file_path), line: 1 };
    const keyed = [...entry.path, ...keys];
    const path = valueAt(entry.properties.data, keyed) === undefined ? entry.path : keyed;
    return { file: this.repoPath(entry.properties.path), line: entry.properties.lineOf(path) ?? 1 };
  }

  /** A column's YAML entry: the version's own column list first, then the model's. */
  column(node: ModelNode, column: string): Place {
    const entry = this.entryOf(node);
    if (!entry) return { file: this.repoPath(node.original_file_path), line: 1 };
    for (const columnsPath of entry.columnPaths) {
      const list = valueAt(entry.properties.data, columnsPath);
      if (!Array.isArray(list)) continue;
      const ci = list.findIndex((c) => typeof c === 'object' && c !== null && (c as { name?: unknown }).name === column);
      if (ci >= 0) return { file: this.repoPath(entry.properties.path), line: entry.properties.lineOf([...columnsPath, ci]) ?? 1 };
    }
    return this.model(node);
  }

  /**
   * The line of a ref() call, found as the engine finds it for its own ref errors: in the SQL of a model
   * or singular test, or in the properties file of a generic test (`to: ref('inventory', 'products')`).
   */
  ref(node: GraphNode, call: RefCall): Place {
    const file = this.repoPath(node.original_file_path);
    const text = ('raw_code' in node && node.raw_code) || this.parsed.files.properties.find((p) => p.path === node.original_file_path)?.text;
    if (!text) return { file, line: 1 };
    const args = [call.project, call.name].filter((a): a is string => a !== undefined).map((a) => `['"]${escapeRegExp(a)}['"]`);
    const match = new RegExp(`ref\\(\\s*${args.join('\\s*,\\s*')}`).exec(text);
    return { file, line: match ? text.slice(0, match.index).split('\n').length : 1 };
  }
}

function escapeRegExp(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}

function valueAt(input: unknown, path: ReadonlyArray<string | number>): unknown {
  let cur = input;
  for (const key of path) {
    if (cur === null || typeof cur !== 'object') return undefined;
    cur = (cur as Record<string | number, unknown>)[key];
  }
  return cur;
}
