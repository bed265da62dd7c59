import nunjucks from 'nunjucks';
import { MeshError } from '@mesh/errors';
import type { RefCall, SourceCall } from '../types';
import type { Relation } from './relation';
import { lineOfText } from '../util/line-of-text';
import type { ParseCache } from '../load/parse-cache';
import { parseLiteralTemplate, type Literal, type Piece } from './literal-calls';
import { dbtRuntime, installDbtJinja, prepareDbtSource, type DbtContext } from './dbt-jinja';

/**
 * What a template's dbt functions do while one node renders. The parse stage answers refs with placeholders
 * and records them; the execute stage (incremental models) answers with real relations.
 */
export interface RenderHooks {
  ref(call: RefCall): Relation;
  source(call: SourceCall): Relation;
  config(values: Record<string, unknown>): void;
  thisRelation: Relation;
  isIncremental: boolean;
  vars: Readonly<Record<string, unknown>>;
  env: Readonly<Record<string, string | undefined>>;
  /** `{{ log(msg, info=True) }}`: messages dbt would print. */
  log?(message: string): void;
  /**
   * Macros replaced by a value for this render, as a unit test's `overrides: macros:` replace them:
   * `current_timestamp: "'2024-01-01'"` makes every call return that text (`dbt.` names too).
   */
  macros?: Readonly<Record<string, unknown>>;
  /** Variables of this render alone (a query comment's `node`). */
  context?: Record<string, unknown>;
}

const CONTEXT_FUNCTIONS = new Set(['ref', 'source', 'config', 'var', 'env_var', 'is_incremental']);
const CONTEXT_NAMES = new Set(['this']);

type Keywords = Record<string, unknown> & { __keywords?: true };

function splitArgs(raw: unknown[]): { args: unknown[]; kwargs: Keywords } {
  const last = raw[raw.length - 1] as Keywords | undefined;
  if (last && typeof last === 'object' && last.__keywords) {
    const { __keywords: _, ...kwargs } = last;
    return { args: raw.slice(0, -1), kwargs };
  }
  return { args: raw, kwargs: {} };
}

function callPattern(fn: string, firstArg: unknown): RegExp {
  const escaped = String(firstArg).replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
  return new RegExp(`\\b${fn}\\(\\s*['"]${escaped}['"]`);
}

function usage(fn: string, message: string, hint: string): MeshError {
  return new MeshError('E_JINJA_CALL', `${fn}(): ${message}`, { hint });
}

/** The dbt context functions, bound to whichever node is rendering now (rendering is synchronous). */
class ContextFunctions {
  hooks: RenderHooks | undefined;
  /** The first MeshError a context function threw; nunjucks would otherwise wrap it into a plain Error. */
  thrown: MeshError | undefined;
  /** The call that threw, as text to find in the source: nunjucks reports the enclosing block's line. */
  thrownCall: RegExp | undefined;

  private get h(): RenderHooks {
    if (!this.hooks) throw new Error('dbt context function called outside a render');
    return this.hooks;
  }

  private guard<T>(fn: () => T, call?: () => RegExp): T {
    try {
      return fn();
    } catch (error) {
      if (error instanceof MeshError && !this.thrown) {
        this.thrown = error;
        this.thrownCall = call?.();
      }
      throw error;
    }
  }

  ref = (...raw: unknown[]): Relation =>
    this.guard(() => {
      const { args, kwargs } = splitArgs(raw);
      const version = kwargs.v ?? kwargs.version;
      if (args.length < 1 || args.length > 2 || args.some((a) => typeof a !== 'string')) {
        throw usage('ref', 'expects a model name, or a project and a model name', "Write ref('model') or ref('project', 'model').");
      }
      const [a, b] = args as string[];
      const call: RefCall = b === undefined ? { name: a! } : { project: a, name: b };
      if (version !== undefined && version !== null) call.version = String(version);
      return this.h.ref(call);
    });

  source = (...raw: unknown[]): Relation =>
    this.guard(() => {
      const { args } = splitArgs(raw);
      if (args.length !== 2 || args.some((a) => typeof a !== 'string')) {
        throw usage('source', 'expects a source name and a table name', "Write source('source_name', 'table_name').");
      }
      return this.h.source({ source: args[0] as string, table: args[1] as string });
    });

  config = (...raw: unknown[]): string =>
    this.guard(() => {
      const { args, kwargs } = splitArgs(raw);
      const first = args[0];
      const values = first && typeof first === 'object' ? { ...(first as object), ...kwargs } : kwargs;
      this.h.config(values);
      return '';
    });

  var = (...raw: unknown[]): unknown =>
    this.guard(() => {
      const { args } = splitArgs(raw);
      const name = String(args[0]);
      const vars = this.h.vars;
      if (Object.hasOwn(vars, name)) return vars[name];
      if (args.length > 1) return args[1];
      throw new MeshError('E_VAR_MISSING', `required var '${name}' is not set`, {
        hint: `Set it under vars: in the project file, pass --vars '{${name}: ...}', or give a default: var('${name}', ...).`,
      });
    }, () => callPattern('var', raw[0]));

  env_var = (...raw: unknown[]): unknown =>
    this.guard(() => {
      const { args } = splitArgs(raw);
      const name = String(args[0]);
      const value = this.h.env[name];
      if (value !== undefined) return value;
      if (args.length > 1) return args[1];
      throw new MeshError('E_ENV_VAR_MISSING', `environment variable '${name}' is not set`, {
        hint: `Export ${name} before running, or give a default: env_var('${name}', ...).`,
      });
    }, () => callPattern('env_var', raw[0]));

  is_incremental = (): boolean => this.h.isIncremental;

  /** dbt prints a log() message only with info=True; the rest goes to its debug log file, which the engine has not. */
  log = (...raw: unknown[]): string => {
    const { args, kwargs } = splitArgs(raw);
    const info = kwargs.info ?? args[1];
    if (info === true || info === 'True' || info === 'true') this.hooks?.log?.(String(args[0]));
    return '';
  };

  /** Runs a native (dbt, dbt_utils) or refused function, so its MeshError is located like the context functions'. */
  call<T>(fn: () => T, pattern: RegExp): T {
    return this.guard(fn, () => pattern);
  }
}

/** nunjucks' typings omit getExported, which `{% import %}` uses to collect a template's macros. */
interface ExportingTemplate {
  getExported(context: object, callback: (err: Error | null, value: unknown) => void): void;
}

export interface CompiledTemplate {
  render(hooks: RenderHooks): string;
}

interface TemplateLocation {
  line?: number;
  column?: number;
  message: string;
}

/** One nunjucks environment per project: macros are registered as globals, as dbt makes them. */
export class JinjaEnvironment {
  private readonly env = new nunjucks.Environment([], { autoescape: false, throwOnUndefined: false });
  private readonly fns = new ContextFunctions();
  private readonly macroNames = new Set<string>();
  /** Macro files by path, to point an error raised inside a macro at the macro's own line. */
  private readonly macroSources = new Map<string, string>();
  /** One entry per macro call being rendered: the value its `{{ return(...) }}` gave, if any. */
  private readonly returns: Array<{ set: boolean; value: unknown }> = [];
  private readonly runtime: typeof nunjucks.runtime;
  /** dbt's `target` as templates see it; the parse stage fills it in from the resolved target. */
  target: Record<string, unknown> = { name: 'dev', type: 'duckdb', schema: 'main', threads: 1 };

  constructor() {
    for (const name of [...CONTEXT_FUNCTIONS, 'log']) {
      this.env.addGlobal(name, (this.fns as unknown as Record<string, unknown>)[name]);
    }
    // `this` is looked up per render; a getter on the globals object keeps it in step with the node.
    const fns = this.fns;
    Object.defineProperty((this.env as unknown as { globals: object }).globals, 'this', {
      get: () => fns.hooks?.thisRelation,
      enumerable: true,
      configurable: true,
    });
    const returns = this.returns;
    // dbt's return() hands a value (a list, a relation) to the caller instead of the macro's text: every
    // macro is wrapped so the caller gets that value when one was returned.
    const makeMacro = (...args: unknown[]) => {
      const macro = (nunjucks.runtime as unknown as { makeMacro(...a: unknown[]): (...a: unknown[]) => unknown }).makeMacro(...args);
      return function (this: unknown, ...callArgs: unknown[]): unknown {
        const frame = { set: false, value: undefined as unknown };
        returns.push(frame);
        try {
          const text = macro.apply(this, callArgs);
          return frame.set ? frame.value : text;
        } finally {
          returns.pop();
        }
      };
    };
    this.runtime = dbtRuntime(nunjucks.runtime, makeMacro);
    const context: DbtContext = {
      call: (fn, pattern) => this.fns.call(fn, pattern),
      nativeContext: () => ({ vars: this.fns.hooks?.vars ?? {} }),
      target: () => this.target,
      warn: (message) => this.fns.hooks?.log?.(message),
    };
    installDbtJinja(this.env, context, (value: unknown) => {
      const frame = returns[returns.length - 1];
      if (!frame) {
        return this.fns.call(() => {
          throw new MeshError('E_JINJA_CALL', 'return() is only allowed inside a macro', { hint: 'Print the value with {{ value }} instead.' });
        }, /\breturn\s*\(/);
      }
      // dbt's return() ends the macro; the first value returned is the one the caller gets.
      if (!frame.set) {
        frame.set = true;
        frame.value = value;
      }
      return '';
    });
  }

  /** Registers every top-level `{% macro %}` (and `{% test %}`, as `test_<name>`) of a macros file as a global. */
  addMacros(file: string, source: string): string[] {
    this.macroSources.set(file, source);
    const template = this.compileNunjucks(file, source);
    const exported = this.withHooks(undefined, () => {
      let result: Record<string, unknown> = {};
      (template as unknown as ExportingTemplate).getExported({}, (err, value) => {
        if (err) throw err;
        result = value as Record<string, unknown>;
      });
      return result;
    }, file);
    const names = Object.keys(exported);
    for (const name of names) {
      this.env.addGlobal(name, exported[name]);
      this.macroNames.add(name);
    }
    return names;
  }

  hasMacro(name: string): boolean {
    return this.macroNames.has(name);
  }

  /** Calls a project macro with keyword arguments (a generic test's `test_<name>` macro) and returns its SQL. */
  callMacro(name: string, kwargs: Record<string, unknown>, hooks: RenderHooks, file: string): string {
    const macro = (this.env as unknown as { getGlobal(name: string): (...a: unknown[]) => unknown }).getGlobal(name);
    return this.withHooks(hooks, () => String(macro((nunjucks.runtime as unknown as { makeKeywordArgs(o: object): object }).makeKeywordArgs({ ...kwargs }))), file);
  }

  /**
   * Calls a project macro with positional arguments, as dbt calls the macros a project may override
   * (`generate_schema_name(custom_schema_name, node)`): the value its `return()` gave, else its text.
   */
  callMacroPositional(name: string, args: unknown[], hooks: RenderHooks, file: string): unknown {
    const macro = (this.env as unknown as { getGlobal(name: string): (...a: unknown[]) => unknown }).getGlobal(name);
    return this.withHooks(hooks, () => macro(...args), file);
  }

  /** Where compiled templates are kept between runs; none by default. */
  cache: ParseCache | undefined;

  compile(file: string, source: string): CompiledTemplate {
    const pieces = parseLiteralTemplate(source, CONTEXT_FUNCTIONS, CONTEXT_NAMES);
    if (pieces && !pieces.some((p) => typeof p === 'object' && 'fn' in p && this.macroNames.has(p.fn))) {
      return { render: (hooks) => this.withHooks(hooks, () => this.renderPieces(pieces), file, source) };
    }
    const template = this.compileNunjucks(file, source);
    return { render: (hooks) => this.withHooks(hooks, () => template.render(hooks.context ?? {}), file, source) };
  }

  private renderPieces(pieces: Piece[]): string {
    let out = '';
    const fns = this.fns as unknown as Record<string, (...a: unknown[]) => unknown>;
    for (const piece of pieces) {
      if (typeof piece === 'string') out += piece;
      else if ('fn' in piece) {
        const args: unknown[] = [...piece.args];
        if (Object.keys(piece.kwargs).length) args.push({ ...piece.kwargs, __keywords: true } as Record<string, Literal | true>);
        const value = fns[piece.fn]!(...args);
        if (value !== undefined && value !== null) out += String(value);
      } else {
        out += String(this.fns.hooks?.thisRelation ?? '');
      }
    }
    return out;
  }

  private compileNunjucks(file: string, text: string): nunjucks.Template {
    const source = prepareDbtSource(file, text);
    try {
      // nunjucks turns a template into JavaScript source; that source is what the cache keeps.
      const env = this.env as unknown as { asyncFilters: unknown; extensionsList: unknown; opts: unknown };
      const compile = () =>
        (nunjucks as unknown as { compiler: { compile(...args: unknown[]): string } }).compiler.compile(source, env.asyncFilters, env.extensionsList, file, env.opts);
      const code = this.cache ? this.cache.jinja(source, compile) : compile();
      const props = new Function(code)() as Record<string, unknown>;
      // Every render function gets the runtime with dbt's return() and Python's str methods.
      for (const [key, value] of Object.entries(props)) {
        if (typeof value !== 'function') continue;
        const fn = value as (...a: unknown[]) => unknown;
        props[key] = (env: unknown, context: unknown, frame: unknown, _runtime: unknown, cb: unknown) => fn(env, context, frame, this.runtime, cb);
      }
      return new nunjucks.Template({ type: 'code', obj: props } as unknown as string, this.env, file, true);
    } catch (error) {
      throw templateError(file, error, 'E_JINJA_SYNTAX');
    }
  }

  /** The file and line of a failed call: in the template itself, else in the macro file that made it. */
  private callSite(file: string, source: string | undefined, call: RegExp | undefined): { file: string; line?: number } | undefined {
    if (!call) return undefined;
    const own = source ? lineOfText(source, call) : undefined;
    if (own) return { file, line: own };
    for (const [path, text] of this.macroSources) {
      const line = lineOfText(text, call);
      if (line) return { file: path, line };
    }
    return undefined;
  }

  /** Puts a render's macro overrides in place of the globals they name; returns what puts them back. */
  private overrideMacros(macros: Readonly<Record<string, unknown>>): () => void {
    const globals = (this.env as unknown as { globals: Record<string, unknown> }).globals;
    const saved: Array<[string, PropertyDescriptor | undefined]> = [];
    const replace = (name: string, value: unknown) => {
      saved.push([name, Object.getOwnPropertyDescriptor(globals, name)]);
      Object.defineProperty(globals, name, { value, configurable: true, enumerable: true, writable: true });
    };
    for (const [name, value] of Object.entries(macros)) {
      if (name === 'is_incremental') continue; // answered by the hooks' isIncremental
      const dot = name.indexOf('.');
      const bare = dot < 0 ? name : name.slice(dot + 1);
      const namespace = dot < 0 ? undefined : name.slice(0, dot);
      const returns = () => value;
      // dbt makes an override of `dbt.x` the global `x` too, and an override of `x` also `dbt.x`.
      if (!namespace || namespace === 'dbt') replace(bare, returns);
      const pkg = namespace ?? 'dbt';
      const current = globals[pkg];
      if (current && typeof current === 'object') {
        replace(pkg, new Proxy(current, { get: (target, key, receiver) => (key === bare ? returns : Reflect.get(target, key, receiver)) }));
      }
    }
    return () => {
      for (const [name, descriptor] of saved.reverse()) {
        if (descriptor) Object.defineProperty(globals, name, descriptor);
        else delete globals[name];
      }
    };
  }

  private withHooks<T>(hooks: RenderHooks | undefined, fn: () => T, file: string, source?: string): T {
    const previous = this.fns.hooks;
    this.fns.hooks = hooks;
    this.fns.thrown = undefined;
    this.fns.thrownCall = undefined;
    const restore = hooks?.macros && Object.keys(hooks.macros).length ? this.overrideMacros(hooks.macros) : undefined;
    try {
      return fn();
    } catch (error) {
      const thrown = this.fns.thrown as MeshError | undefined;
      if (thrown) {
        const loc = locate(error);
        const site = this.callSite(file, source, this.fns.thrownCall);
        throw new MeshError(thrown.code, thrown.message, {
          hint: thrown.hint,
          location: site ?? { file, line: loc.line, column: loc.column },
        });
      }
      if (error instanceof MeshError) throw error;
      throw templateError(file, error, 'E_JINJA_RENDER');
    } finally {
      restore?.();
      this.fns.hooks = previous;
    }
  }
}

/** nunjucks puts the position in the message: `(file) [Line 3, Column 5]`. */
function locate(error: unknown): TemplateLocation {
  const message = error instanceof Error ? error.message : String(error);
  const m = /\[Line (\d+), Column (\d+)\]/.exec(message);
  const clean = message
    .replace(/^\([^)]*\)\s*/, '')
    .replace(/\[Line \d+, Column \d+\]\s*/, '')
    .replace(/^Template render error:\s*/i, '')
    .replace(/^\([^)]*\)\s*/, '')
    .trim();
  return { line: m ? Number(m[1]) : undefined, column: m ? Number(m[2]) : undefined, message: clean };
}

function templateError(file: string, error: unknown, code: string): MeshError {
  const loc = locate(error);
  const undefinedCall = /Unable to call `([^`]+)`, which is undefined/.exec(loc.message);
  if (undefinedCall) {
    const name = undefinedCall[1]!.replace(/\["([^"]+)"\]/g, '.$1');
    return new MeshError('E_JINJA_UNDEFINED', `${name} is not defined: no macro, function or variable has that name`, {
      location: { file, line: loc.line, column: loc.column },
      hint: 'Define the macro in a file under macro-paths. Macros of dbt packages are not installed: the engine has dbt_utils\' most used macros natively; copy any other package macro into macros/.',
    });
  }
  return new MeshError(code, `Jinja ${code === 'E_JINJA_SYNTAX' ? 'syntax' : 'render'} error: ${loc.message.split('\n').join(' ')}`, {
    location: { file, line: loc.line, column: loc.column },
    hint: 'Check the tags and expressions at that line; the engine supports dbt\'s Jinja (ref, source, config, var, env_var, is_incremental, this, set, for, if, do, macros with return(), filters) but not database calls while compiling.',
  });
}
