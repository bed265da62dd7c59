import nunjucks from 'nunjucks';
import { MeshError } from '@mesh/errors';
import {
  ADAPTER_REFUSALS, DBT_MACROS, DBT_UTILS_MACROS, REFUSED_FUNCTIONS, dbtMacroRefusal, dbtUtilsRefusal, refusedFunction,
  type Keywords, type NativeContext, type NativeMacro,
} from './dbt-natives';

/**
 * The parts of dbt's Jinja that nunjucks lacks: Python's list, dict and string methods, `{% do %}`,
 * `{{ return() }}`, `{% test %}` blocks, the filters and tests dbt projects use, and dbt's context
 * objects (`target`, `adapter`, `exceptions`, the `dbt` and `dbt_utils` namespaces). Constructs that
 * need a database while compiling are refused by name, with the file and line.
 */

// Python-style list and dict methods (`cols.append(x)`, `d.items()`), slices and True/False/None.
// nunjucks installs them on its own runtime; the engine is its only user in the process.
nunjucks.installJinjaCompat();

// Python's `+` joins lists (`var('cols') + ['id']`); JavaScript's would join their text.
type CompilerProto = { compile(node: unknown, frame: unknown): void; _emit(code: string): void };
const compilerProto = (nunjucks as unknown as { compiler: { Compiler: { prototype: CompilerProto & { compileAdd: unknown } } } }).compiler.Compiler.prototype;
(nunjucks.runtime as unknown as { pyAdd: (a: unknown, b: unknown) => unknown }).pyAdd = (a, b) =>
  Array.isArray(a) && Array.isArray(b) ? [...a, ...b] : (a as number) + (b as number);
compilerProto.compileAdd = function compileAdd(this: CompilerProto, node: { left: unknown; right: unknown }, frame: unknown): void {
  this._emit('runtime.pyAdd(');
  this.compile(node.left, frame);
  this._emit(', ');
  this.compile(node.right, frame);
  this._emit(')');
};

/** Called by a native function so its errors carry the template line of the call. */
export interface DbtContext {
  call<T>(fn: () => T, pattern: RegExp): T;
  nativeContext(): NativeContext;
  target(): Record<string, unknown>;
  warn(message: string): void;
}

type Fn = (...args: unknown[]) => unknown;

function splitKeywords(raw: unknown[]): { args: unknown[]; kwargs: Keywords } {
  const last = raw[raw.length - 1] as (Keywords & { __keywords?: true }) | undefined;
  if (last && typeof last === 'object' && last.__keywords) {
    const { __keywords: _, ...kwargs } = last;
    return { args: raw.slice(0, -1), kwargs };
  }
  return { args: raw, kwargs: {} };
}

const escapeRe = (s: string) => s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
const callRe = (prefix: string, name: string) => new RegExp(`${escapeRe(prefix)}\\s*\\.\\s*${escapeRe(name)}\\b|\\b${escapeRe(name)}\\s*\\(`);

/**
 * A namespace object (`dbt_utils`, `dbt`, `adapter`) whose unknown members are refusals: nunjucks would
 * otherwise say only that `dbt_utils["x"]` is undefined.
 */
function namespace(prefix: string, known: Record<string, Fn>, refuse: (name: string) => MeshError, ctx: DbtContext): object {
  return new Proxy(known, {
    get(target, name) {
      if (typeof name !== 'string') return undefined;
      if (Object.hasOwn(target, name)) return target[name];
      if (name === 'then' || name.startsWith('__') || name === 'toString' || name === 'valueOf') return undefined;
      return (..._args: unknown[]) => ctx.call(() => {
        throw refuse(name);
      }, callRe(prefix, name));
    },
  });
}

function natives(prefix: string, table: Readonly<Record<string, NativeMacro>>, ctx: DbtContext): Record<string, Fn> {
  const out: Record<string, Fn> = {};
  for (const [name, fn] of Object.entries(table)) {
    out[name] = (...raw: unknown[]) => ctx.call(() => {
      const { args, kwargs } = splitKeywords(raw);
      return fn(args, kwargs, ctx.nativeContext());
    }, callRe(prefix, name));
  }
  return out;
}

/** Python's str methods that dbt models call on strings (`'x'.upper()`), for nunjucks' member lookup. */
const STRING_METHODS: Readonly<Record<string, (s: string, ...a: unknown[]) => unknown>> = {
  upper: (s) => s.toUpperCase(),
  lower: (s) => s.toLowerCase(),
  strip: (s, chars) => (chars === undefined ? s.trim() : s.replace(new RegExp(`^[${escapeRe(String(chars))}]+|[${escapeRe(String(chars))}]+$`, 'g'), '')),
  lstrip: (s) => s.trimStart(),
  rstrip: (s) => s.trimEnd(),
  title: (s) => s.replace(/\w\S*/g, (w) => w[0]!.toUpperCase() + w.slice(1).toLowerCase()),
  capitalize: (s) => s.charAt(0).toUpperCase() + s.slice(1).toLowerCase(),
  replace: (s, a, b) => s.split(String(a)).join(String(b)),
  split: (s, sep) => (sep === undefined ? s.trim().split(/\s+/) : s.split(String(sep))),
  startswith: (s, p) => s.startsWith(String(p)),
  endswith: (s, p) => s.endsWith(String(p)),
  format: (s, ...a) => {
    let i = 0;
    return s.replace(/\{(\d*)\}/g, (_, n: string) => String(a[n === '' ? i++ : Number(n)]));
  },
  join: (s, items) => (items as unknown[]).map(String).join(s),
};

/** A nunjucks runtime whose member lookup knows Python's str methods; the rest is nunjucks' own. */
export function dbtRuntime(base: typeof nunjucks.runtime, makeMacro: Fn): typeof nunjucks.runtime {
  const runtime = Object.create(base) as typeof nunjucks.runtime & { memberLookup: Fn; makeMacro: Fn };
  runtime.makeMacro = makeMacro;
  runtime.memberLookup = (obj: unknown, name: unknown) => {
    if (typeof obj === 'string' && typeof name === 'string' && Object.hasOwn(STRING_METHODS, name)) {
      return (...a: unknown[]) => STRING_METHODS[name]!(obj, ...a);
    }
    return (base as unknown as { memberLookup: Fn }).memberLookup(obj, name);
  };
  return runtime;
}

/** `{% do expr %}`: evaluates an expression for its effect (`{% do cols.append(c) %}`). */
class DoExtension {
  tags = ['do'];
  parse(parser: { nextToken(): { value: string; lineno: number; colno: number }; parseExpression(): unknown; advanceAfterBlockEnd(name: string): void }, nodes: Record<string, new (...a: unknown[]) => unknown>): unknown {
    const tok = parser.nextToken();
    const expr = parser.parseExpression();
    parser.advanceAfterBlockEnd(tok.value);
    return new nodes.CallExtension!(this, 'run', new nodes.NodeList!(tok.lineno, tok.colno, [expr]));
  }
  run(): string {
    return '';
  }
}

/** Registers dbt's globals, filters and tests on a project's environment. */
export function installDbtJinja(env: nunjucks.Environment, ctx: DbtContext, returnValue: Fn): void {
  env.addExtension('DbtDo', new DoExtension());
  env.addGlobal('return', returnValue);
  env.addGlobal('execute', true);
  env.addGlobal('print', (...raw: unknown[]) => {
    ctx.warn(String(splitKeywords(raw).args[0]));
    return '';
  });
  env.addGlobal('tojson', (value: unknown) => JSON.stringify(value));
  env.addGlobal('fromjson', (text: unknown, fallback?: unknown) => {
    try {
      return JSON.parse(String(text));
    } catch {
      return fallback ?? null;
    }
  });
  env.addGlobal('zip', (...lists: unknown[][]) => lists[0]!.map((_, i) => lists.map((l) => l[i])));
  env.addGlobal('exceptions', {
    raise_compiler_error: (message: unknown) => ctx.call(() => {
      throw new MeshError('E_COMPILER_ERROR', String(message), { hint: 'A macro of this project raised this error on purpose; read its message.' });
    }, /raise_compiler_error\s*\(/),
    warn: (message: unknown) => {
      ctx.warn(String(message));
      return '';
    },
  });
  // The target is the rendering project's; a getter keeps one environment per project honest.
  Object.defineProperty((env as unknown as { globals: object }).globals, 'target', { get: () => ctx.target(), enumerable: true, configurable: true });
  for (const [name, entry] of Object.entries(REFUSED_FUNCTIONS)) {
    env.addGlobal(name, () => ctx.call(() => {
      throw refusedFunction(name === 'statement' ? '{% call statement %}' : `${name}()`, entry);
    }, name === 'statement' ? /call\s+statement\b/ : new RegExp(`\\b${name}\\s*\\(`)));
  }
  const adapterKnown: Record<string, Fn> = {
    quote: (name: unknown) => `"${String(name).replaceAll('"', '""')}"`,
  };
  env.addGlobal('adapter', namespace('adapter', adapterKnown, (name) => {
    const entry = ADAPTER_REFUSALS[name];
    return entry
      ? refusedFunction(`adapter.${name}`, entry)
      : refusedFunction(`adapter.${name}`, { why: 'the engine compiles without a database connection', hint: 'Write the SQL in the model instead.' });
  }, ctx));
  env.addGlobal('dbt_utils', namespace('dbt_utils', natives('dbt_utils', DBT_UTILS_MACROS, ctx), dbtUtilsRefusal, ctx));
  env.addGlobal('dbt', namespace('dbt', natives('dbt', DBT_MACROS, ctx), dbtMacroRefusal, ctx));

  // Filters dbt projects use that nunjucks lacks (lower, upper, replace, join, default, trim are built in).
  env.addFilter('map', (items: unknown[], ...raw: unknown[]) => {
    const { args, kwargs } = splitKeywords(raw);
    if (kwargs.attribute !== undefined) return items.map((i) => (i as Record<string, unknown>)[String(kwargs.attribute)]);
    const filter = (env as unknown as { getFilter(name: string): Fn }).getFilter(String(args[0]));
    return items.map((i) => filter(i, ...args.slice(1)));
  });
  env.addFilter('unique', (items: unknown[]) => [...new Set(items)]);
  env.addFilter('tojson', (value: unknown) => JSON.stringify(value));
  env.addFilter('as_bool', (value: unknown) => value === true || value === 'true' || value === 'True');
  env.addFilter('as_number', (value: unknown) => Number(value));
  env.addFilter('as_text', (value: unknown) => String(value));
  env.addFilter('as_native', (value: unknown) => value);
  // nunjucks' typings omit addTest, which it has.
  const addTest = (name: string, test: (value: unknown) => boolean) => (env as unknown as { addTest(n: string, t: (v: unknown) => boolean): void }).addTest(name, test);
  addTest('none', (value: unknown) => value === null);
  addTest('sequence', (value: unknown) => Array.isArray(value) || typeof value === 'string');
  addTest('boolean', (value: unknown) => typeof value === 'boolean');
  addTest('integer', (value: unknown) => Number.isInteger(value));
}

/** dbt block tags the engine refuses, with the reason and the way out. */
const REFUSED_BLOCKS: ReadonlyArray<{ pattern: RegExp; construct: string; why: string; hint: string }> = [
  {
    pattern: /\{%-?\s*materialization\b/,
    construct: '{% materialization %}',
    why: 'custom materializations are not supported',
    hint: 'Use one of view, table, incremental or ephemeral.',
  },
  {
    pattern: /\{%-?\s*snapshot\b/,
    construct: '{% snapshot %}',
    why: 'snapshot blocks belong in files under snapshot-paths, not among models or macros',
    hint: 'Move the block into a .sql file under snapshots/ (or another folder listed in snapshot-paths).',
  },
  {
    pattern: /\{%-?\s*call\s+statement\b/,
    construct: '{% call statement %}',
    why: 'it runs a query while compiling, and the engine compiles without a database',
    hint: 'Compute the values in SQL (a join or a subquery), or list them in a var.',
  },
];

function lineAt(source: string, index: number): number {
  let line = 1;
  for (let i = 0; i < index; i++) if (source.charCodeAt(i) === 10) line++;
  return line;
}

/**
 * Refuses block tags the engine does not run, and turns `{% test name(...) %}` blocks into the macro
 * `test_name`, as dbt itself does, so generic tests are macros like any other.
 */
export function prepareDbtSource(file: string, source: string): string {
  if (!source.includes('{%')) return source;
  for (const refused of REFUSED_BLOCKS) {
    const m = refused.pattern.exec(source);
    if (m) {
      throw new MeshError('E_DBT_UNSUPPORTED', `${refused.construct} is not supported: ${refused.why}`, {
        location: { file, line: lineAt(source, m.index) },
        hint: refused.hint,
      });
    }
  }
  return source
    .replace(/\{%(-?)(\s*)test(\s+)([A-Za-z_][A-Za-z0-9_]*)\s*\(/g, '{%$1$2macro$3test_$4(')
    .replace(/\{%(-?)(\s*)endtest(\s*)(-?)%\}/g, '{%$1$2endmacro$3$4%}');
}
