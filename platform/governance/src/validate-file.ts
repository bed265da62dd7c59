import { isMap, isNode, isScalar, isSeq, LineCounter, parseDocument, type Document } from 'yaml';
import type { z } from 'zod';
import { MeshError } from '@mesh/errors';
import { formatZodIssues, parseYamlFile } from '@mesh/validate';

/**
 * Parses and validates a governance file as validateYaml does, with two differences that matter in
 * hand-written descriptors: a line is the line an entry is written on (a key's own line, not the line
 * its block value starts on), so an unknown key is reported where it is typed; and a misspelled key is
 * reported before the "is required" it causes, with the key it was probably meant to be.
 */
export interface ValidatedFile<T> {
  data: T;
  /** The line the entry at a path is written on, or that of its nearest written parent. */
  lineOf(path: readonly PropertyKey[]): number | undefined;
}

export function parseAndValidate<S extends z.ZodType>(
  file: string,
  text: string,
  schema: S,
  options: { what: string; hint: string; normalize?: (data: unknown) => unknown },
): ValidatedFile<z.output<S>> {
  const parsed = parseYamlFile(file, text);
  // Shorthands (`layer-naming: warn`) are expanded first, so messages show what was written.
  const input = options.normalize ? options.normalize(parsed.data) : parsed.data;
  const lineOf = entryLines(text);
  const result = schema.safeParse(input);
  if (result.success) return { data: result.data, lineOf };
  const all = result.error.issues;
  const texts = formatZodIssues(result.error, input);
  const order = all.map((_, i) => i).sort((a, b) => Number(all[b]!.code === 'unrecognized_keys') - Number(all[a]!.code === 'unrecognized_keys'));
  const issues = order.map((i) => all[i]!);
  const described = order.map((i) => texts[i]! + suggestion(all[i]!, schema, input));
  const lineOfIssue = (issue: z.core.$ZodIssue): number | undefined =>
    lineOf(issue.code === 'unrecognized_keys' ? [...issue.path, issue.keys[0]!] : issue.path);
  const lines = issues.map((issue, i) => {
    const line = lineOfIssue(issue);
    return `${file}${line ? `:${line}` : ''}: ${described[i]}`;
  });
  throw new MeshError('E_YAML_SCHEMA', `${options.what}: ${described[0]}`, {
    location: { file, line: lineOfIssue(issues[0]!) },
    details: lines.length > 1 ? lines.join('\n') : undefined,
    hint: options.hint,
  });
}

/** Line lookups on the positioned document, parsed on the first lookup (valid files rarely need one). */
function entryLines(text: string): (path: readonly PropertyKey[]) => number | undefined {
  let located: { doc: Document; lineCounter: LineCounter } | undefined;
  return (path) => {
    if (!located) {
      const lineCounter = new LineCounter();
      located = { doc: parseDocument(text, { lineCounter }), lineCounter };
    }
    const { doc, lineCounter } = located;
    const line = (offset: number) => lineCounter.linePos(offset).line;
    for (let depth = path.length; depth > 0; depth--) {
      const parent = depth === 1 ? doc.contents : doc.getIn(path.slice(0, depth - 1) as unknown[], true);
      const key = path[depth - 1];
      if (isMap(parent)) {
        const pair = parent.items.find((p) => isScalar(p.key) && String(p.key.value) === String(key));
        if (pair && isScalar(pair.key) && pair.key.range) return line(pair.key.range[0]);
      } else if (isSeq(parent) && typeof key === 'number') {
        const item = parent.items[key];
        if (isNode(item) && item.range) return line(item.range[0]);
      }
    }
    return isNode(doc.contents) && doc.contents.range ? line(doc.contents.range[0]) : undefined;
  };
}

/** ` (did you mean 'status'?)` when an unknown key is close to a key the schema knows there and the file does not set. */
function suggestion(issue: z.core.$ZodIssue, schema: z.core.$ZodType, data: unknown): string {
  if (issue.code !== 'unrecognized_keys' || issue.keys.length !== 1) return '';
  const typo = issue.keys[0]!;
  const candidates = keysAt(schema, issue.path).filter((key) => valueAt(data, [...issue.path, key]) === undefined);
  let best: { key: string; d: number } | undefined;
  for (const key of candidates) {
    const d = distance(key, typo);
    if (d <= Math.max(1, Math.floor(key.length / 3)) && (!best || d < best.d)) best = { key, d };
  }
  return best ? ` (did you mean '${best.key}'?)` : '';
}

/** The keys an object schema accepts at a path of the data, looking through optional, default, pipe and array wrappers. */
function keysAt(schema: z.core.$ZodType, path: readonly PropertyKey[]): string[] {
  let node: z.core.$ZodType | undefined = schema;
  let i = 0;
  while (node) {
    const def = node._zod.def as z.core.$ZodTypeDef & Record<string, unknown>;
    if (def.type === 'optional' || def.type === 'default' || def.type === 'nullable') node = def.innerType as z.core.$ZodType;
    else if (def.type === 'pipe') node = (def.out as z.core.$ZodType)._zod.def.type === 'transform' ? (def.in as z.core.$ZodType) : (def.out as z.core.$ZodType);
    else if (i === path.length) return def.type === 'object' ? Object.keys(def.shape as object) : [];
    else if (def.type === 'object') node = (def.shape as Record<PropertyKey, z.core.$ZodType>)[path[i++]!];
    else if (def.type === 'array') {
      i++;
      node = def.element as z.core.$ZodType;
    } else return [];
  }
  return [];
}

function valueAt(input: unknown, path: readonly PropertyKey[]): unknown {
  let cur = input;
  for (const key of path) {
    if (cur === null || typeof cur !== 'object') return undefined;
    cur = (cur as Record<PropertyKey, unknown>)[key];
  }
  return cur;
}

/** Levenshtein distance, for typo suggestions on short keys. */
function distance(a: string, b: string): number {
  let prev = Array.from({ length: b.length + 1 }, (_, j) => j);
  for (let i = 1; i <= a.length; i++) {
    const cur = [i];
    for (let j = 1; j <= b.length; j++) cur[j] = Math.min(prev[j]! + 1, cur[j - 1]! + 1, prev[j - 1]! + (a[i - 1] === b[j - 1] ? 0 : 1));
    prev = cur;
  }
  return prev[b.length]!;
}
