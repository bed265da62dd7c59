import { mkdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { digest } from '../util/digest';

/**
 * Bump when what is cached, or how it is produced, changes (the properties schema in schemas.ts
 * included): an old cache is then ignored.
 */
const CACHE_VERSION = 'mesh-parse-cache/5 nunjucks@3.2.4+jinja2 js-yaml@4.1.0 zod@4';

/** A model's parse-time render: its SQL with placeholders, what it called, and the env vars it read. */
export interface CachedRender {
  sql: string;
  refs: Array<{ project?: string; name: string; version?: string }>;
  sources: Array<{ source: string; table: string }>;
  configCalls: Array<Record<string, unknown>>;
  /** Whether the render read `execute` or asked the database (the node renders again at run time). */
  dynamic?: boolean;
  /** Unique ids of the macros the render called. */
  macros?: string[];
  /** Every environment variable the render read, with its value then (null when unset). */
  env: Record<string, string | null>;
}

interface CacheFile {
  version: string;
  /** YAML file content hash -> the document, parsed and validated. */
  yaml: Record<string, unknown>;
  /** Jinja template source hash -> nunjucks' compiled JavaScript. */
  jinja: Record<string, string>;
  /** Hash of (template, project vars, macros, the model's own relation) -> its parse-time render. */
  render: Record<string, CachedRender>;
}

const empty = (): CacheFile => ({ version: CACHE_VERSION, yaml: {}, jinja: {}, render: {} });

export function contentHash(text: string): string {
  return digest('sha1', text, 'base64url');
}

/**
 * dbt's partial parsing, for the two costly steps: YAML documents and compiled Jinja templates are kept
 * in target/, keyed by the hash of their text, so an unchanged file is never parsed or compiled again.
 * Results depend only on the text, so a stale entry cannot be served; entries not used in a run are
 * dropped when it is saved.
 */
export class ParseCache {
  private readonly previous: CacheFile;
  private readonly next: CacheFile = empty();
  private changed = false;

  private constructor(
    private readonly path: string | undefined,
    previous: CacheFile | undefined,
  ) {
    this.previous = previous?.version === CACHE_VERSION ? previous : empty();
  }

  /** A cache stored in `targetDir`, or one that keeps nothing when `targetDir` is undefined. */
  static open(targetDir: string | undefined): ParseCache {
    if (!targetDir) return new ParseCache(undefined, undefined);
    const path = join(targetDir, 'partial_parse.json');
    let previous: CacheFile | undefined;
    try {
      previous = JSON.parse(readFileSync(path, 'utf8')) as CacheFile;
    } catch {
      previous = undefined;
    }
    return new ParseCache(path, previous);
  }

  yaml(text: string, parse: () => unknown): unknown {
    return this.lookup('yaml', contentHash(text), parse);
  }

  jinja(source: string, compile: () => string): string {
    return this.lookup('jinja', contentHash(source), compile) as string;
  }

  /**
   * A cached render for `key`, if every environment variable it read still has the value it had; a
   * render depends on nothing else that the key does not already cover.
   */
  render(key: string, env: Readonly<Record<string, string | undefined>>): CachedRender | undefined {
    const hit = Object.hasOwn(this.previous.render, key) ? this.previous.render[key] : undefined;
    if (!hit) return undefined;
    for (const [name, value] of Object.entries(hit.env)) if ((env[name] ?? null) !== value) return undefined;
    this.next.render[key] = hit;
    return hit;
  }

  storeRender(key: string, value: CachedRender): void {
    this.next.render[key] = value;
    this.changed = true;
  }

  private lookup<K extends 'yaml' | 'jinja'>(kind: K, key: string, produce: () => CacheFile[K][string]): CacheFile[K][string] {
    const table = this.previous[kind] as Record<string, CacheFile[K][string]>;
    let value = Object.hasOwn(table, key) ? table[key] : undefined;
    if (value === undefined) {
      value = produce();
      this.changed = true;
    }
    (this.next[kind] as Record<string, CacheFile[K][string]>)[key] = value;
    return value;
  }

  save(): void {
    if (!this.path) return;
    const dropped = (['yaml', 'jinja', 'render'] as const).some(
      (kind) => Object.keys(this.previous[kind]).length !== Object.keys(this.next[kind]).length,
    );
    if (!this.changed && !dropped) return;
    mkdirSync(dirname(this.path), { recursive: true });
    writeFileSync(`${this.path}.tmp`, JSON.stringify(this.next));
    renameSync(`${this.path}.tmp`, this.path);
  }
}
