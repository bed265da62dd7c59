import { CORE_SCHEMA, load } from 'js-yaml';
import { LineCounter, parseDocument, isNode, type Document } from 'yaml';
import type { z } from 'zod';
import { MeshError } from '@mesh/errors';
import { describeIssue, formatPath } from './format-issues';
import { didYouMean } from './did-you-mean';

export interface ParsedYaml {
  file: string;
  data: unknown;
  /** Line (1-based) of the value at a path inside the document, or of its nearest parent that exists. */
  lineOf(path: readonly PropertyKey[]): number | undefined;
  /** Line of the key that ends a path (`upstream:` itself, where lineOf gives the line of its value). */
  keyLineOf?(path: readonly PropertyKey[]): number | undefined;
}

/** Keeps parsed documents between runs, keyed by their text (the engine's partial-parse cache). */
export interface YamlCache {
  yaml(text: string, parse: () => unknown): unknown;
}

/** The `yaml` library's document with line positions: slower, so built only when an error needs a line. */
function documentOf(file: string, text: string): { doc: Document; lineCounter: LineCounter } {
  const lineCounter = new LineCounter();
  const doc: Document = parseDocument(text, { lineCounter, prettyErrors: true, uniqueKeys: true });
  const [first] = doc.errors;
  if (first) {
    const pos = first.linePos?.[0];
    throw new MeshError('E_YAML_SYNTAX', `invalid YAML: ${first.message.split('\n')[0]!.replace(/ at line \d+, column \d+:?$/, '')}`, {
      location: { file, line: pos?.line, column: pos?.col },
      hint: 'Fix the YAML syntax (indentation, a missing colon or quote) at the line shown.',
    });
  }
  return { doc, lineCounter };
}

/**
 * Parses YAML text. The common case (a valid file) goes through js-yaml, about fifteen times faster on
 * large property files; syntax errors and line lookups use the `yaml` library's positioned document,
 * so messages name the exact line and column.
 */
export function parseYamlFile(file: string, text: string, cache?: YamlCache): ParsedYaml {
  let data: unknown;
  try {
    const parse = () => load(text, { schema: CORE_SCHEMA, filename: file });
    data = cache ? cache.yaml(text, parse) : parse();
  } catch {
    // Let the positioned parser word the error; if it accepts the text, use its reading.
    data = documentOf(file, text).doc.toJS();
  }
  return { file, data: data ?? {}, lineOf: yamlLineOf(file, text), keyLineOf: yamlKeyLineOf(file, text) };
}

/** Line lookups of keys: the line a mapping key is written on. */
export function yamlKeyLineOf(file: string, text: string): NonNullable<ParsedYaml['keyLineOf']> {
  let located: ReturnType<typeof documentOf> | undefined;
  return (path) => {
    if (!path.length) return undefined;
    located ??= documentOf(file, text);
    const { doc, lineCounter } = located;
    const parent = doc.getIn(path.slice(0, -1) as unknown[], true);
    const items = (parent as { items?: Array<{ key?: { value?: unknown; range?: [number, number, number] } }> } | undefined)?.items;
    const pair = items?.find((p) => p.key?.value === path[path.length - 1]);
    return pair?.key?.range ? lineCounter.linePos(pair.key.range[0]).line : undefined;
  };
}

/**
 * Line lookups in a YAML text, for error messages. The positioned document is built on the first lookup
 * only, so a file whose parse came from a cache costs nothing until something in it is wrong.
 */
export function yamlLineOf(file: string, text: string): ParsedYaml['lineOf'] {
  let located: ReturnType<typeof documentOf> | undefined;
  return (path) => {
    located ??= documentOf(file, text);
    const { doc, lineCounter } = located;
    for (let depth = path.length; depth >= 0; depth--) {
      const node = doc.getIn(path.slice(0, depth) as unknown[], true);
      if (isNode(node) && node.range) return lineCounter.linePos(node.range[0]).line;
    }
    return undefined;
  };
}

/** The line of an issue: for an unknown key, the key's own line, not its parent's. */
function issueLine(parsed: ParsedYaml, issue: z.core.$ZodIssue): number | undefined {
  if (issue.code === 'unrecognized_keys' && issue.keys.length) {
    const path = [...issue.path, issue.keys[0]!];
    return parsed.keyLineOf?.(path) ?? parsed.lineOf(path);
  }
  return parsed.lineOf(issue.path);
}

/** A key the schema does not know, left out of the validated value (see `onUnknownKey`). */
export interface UnknownKey {
  /** Path of the mapping that holds it. */
  path: PropertyKey[];
  key: string;
  line?: number;
}

export interface ValidateOptions {
  /**
   * Told about each key the schema does not know, which is then left out instead of failing the file
   * (dbt accepts keys of newer versions in dbt_project.yml).
   */
  onUnknownKey?(key: UnknownKey): void;
}

function withoutKeys(data: unknown, path: readonly PropertyKey[], keys: string[]): unknown {
  if (!path.length) {
    if (!data || typeof data !== 'object' || Array.isArray(data)) return data;
    const copy = { ...(data as Record<string, unknown>) };
    for (const key of keys) delete copy[key];
    return copy;
  }
  const [head, ...rest] = path;
  if (Array.isArray(data)) return data.map((item, i) => (i === head ? withoutKeys(item, rest, keys) : item));
  if (data && typeof data === 'object') return { ...(data as Record<string, unknown>), [head as string]: withoutKeys((data as Record<PropertyKey, unknown>)[head!], rest, keys) };
  return data;
}

/**
 * Validates a parsed file against a schema. The first issue becomes the error (with its line); all issues
 * are listed in the details so a user fixes them in one pass.
 */
export function validateYaml<S extends z.ZodType>(parsed: ParsedYaml, schema: S, what: string, options: ValidateOptions = {}): z.output<S> {
  let data = parsed.data;
  let result = schema.safeParse(data);
  // Unknown keys, when tolerated, are reported and dropped; a file with no other issue then validates.
  for (let round = 0; !result.success && options.onUnknownKey && round < 8; round++) {
    const unknown = result.error.issues.filter((i): i is z.core.$ZodIssueUnrecognizedKeys => i.code === 'unrecognized_keys');
    if (!unknown.length) break;
    for (const issue of unknown) {
      for (const key of issue.keys) options.onUnknownKey({ path: [...issue.path], key, line: parsed.keyLineOf?.([...issue.path, key]) ?? parsed.lineOf([...issue.path, key]) });
      data = withoutKeys(data, issue.path, issue.keys);
    }
    result = schema.safeParse(data);
  }
  if (result.success) return result.data;
  const issues = result.error.issues;
  const lines = issues.map((issue) => {
    const line = issueLine(parsed, issue);
    return `${parsed.file}${line ? `:${line}` : ''}: ${formatPath(issue.path)}: ${describeIssue(issue, data)}`;
  });
  const first = issues[0]!;
  throw new MeshError(
    'E_YAML_SCHEMA',
    `${what}: ${formatPath(first.path)}: ${describeIssue(first, data)}`,
    {
      location: { file: parsed.file, line: issueLine(parsed, first) },
      details: lines.length > 1 ? lines.join('\n') : undefined,
      hint: hintFor(first, what, schema),
    },
  );
}

/** For an unknown key, the nearest key the schema knows; else where the file's shape is described. */
function hintFor(issue: z.core.$ZodIssue, what: string, schema: z.ZodType): string {
  const fallback = `See the ${what} reference in the README for the expected shape.`;
  if (issue.code !== 'unrecognized_keys' || !issue.keys.length) return fallback;
  const guess = didYouMean(issue.keys[0]!, knownKeysAt(schema, issue.path));
  return guess ? `Did you mean '${guess}'? ${fallback}` : fallback;
}

interface SchemaDef {
  type: string;
  shape?: Record<string, unknown>;
  element?: unknown;
  innerType?: unknown;
  valueType?: unknown;
  options?: unknown[];
  in?: unknown;
}

const defOf = (schema: unknown): SchemaDef | undefined => (schema as { _zod?: { def?: SchemaDef } } | undefined)?._zod?.def;

/** The keys an object schema allows at a path of the document, looking through optionals, unions and lists. */
export function knownKeysAt(schema: unknown, path: readonly PropertyKey[]): string[] {
  const def = defOf(schema);
  if (!def) return [];
  switch (def.type) {
    case 'optional': case 'nullable': case 'default': case 'prefault': case 'catch': case 'readonly':
      return knownKeysAt(def.innerType, path);
    case 'pipe':
      return knownKeysAt(def.in, path);
    case 'union':
      return [...new Set((def.options ?? []).flatMap((o) => knownKeysAt(o, path)))];
    case 'object':
      if (!path.length) return Object.keys(def.shape ?? {});
      return knownKeysAt(def.shape?.[String(path[0])], path.slice(1));
    case 'array':
      return path.length ? knownKeysAt(def.element, path.slice(1)) : [];
    case 'record':
      return path.length ? knownKeysAt(def.valueType, path.slice(1)) : [];
    default:
      return [];
  }
}
