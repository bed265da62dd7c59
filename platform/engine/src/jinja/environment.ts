import { randomUUID } from 'node:crypto';
import nunjucks from 'nunjucks';
import { MeshError } from '@mesh/errors';
import type { ParseCache } from '../load/parse-cache';
import type { DispatchConfig } from '../load/schemas';
import { Relation, type RelationType } from '../parse/relation';
import { parseLiteralTemplate, type Literal, type Piece } from '../parse/literal-calls';
import { createContext, type ContextHost, type RenderHooks, type RenderState } from './context';
import { PyDateTime, UTC } from './datetime';
import { MacroReturn, renderError, syntaxError, unwrap } from './errors';
import { installFilters, jinjaTests } from './filters';
import { globalMacros } from './global-macros';
import { Suspend, type AnswerOf, type IntrospectionRequest } from './introspection';
import { literalEval } from './literal-eval';
import { bindArguments, keywordArgs, type MacroContext, type MacroDialect, type NativeMacro } from './macro-api';
import { installJinja2Dialect } from './nunjucks-jinja2';
import { pyMember, pyStr } from './python';
import { createRuntime, instrumentCompiledCode, type JinjaRuntime } from './runtime';
import { prepareDbtSource } from './source';

installJinja2Dialect();

/** The project's `dispatch:` config: the packages searched, in order, for a namespace's macros. */
export type DispatchEntry = DispatchConfig[number];

export interface JinjaOptions {
  /** The root project: its macros are global, as dbt makes them. */
  project?: string;
  /** The target database's spellings of dbt's macros (`duckdb__dateadd`), searched by dispatch first. */
  dialect?: MacroDialect;
  dispatch?: DispatchEntry[];
}

export interface CompiledTemplate {
  render(hooks: RenderHooks): string;
}

/** A macro as templates call it, Jinja or native, with the unique id dbt gives it. */
type Callable = ((...args: unknown[]) => unknown) & { macroName?: string; macroId?: string };

interface State extends RenderState {
  scope: Record<string, unknown>;
  /** What the render put in `context` (`context.update({...})`), seen by the rest of the render. */
  contextStore?: Record<string, unknown>;
}

/** The package dbt calls its own: the global project, whose macros are also available unprefixed. */
export const DBT_PACKAGE = 'dbt';

const CONTEXT_FUNCTIONS = new Set(['ref', 'source', 'config', 'var', 'env_var', 'is_incremental']);
const CONTEXT_NAMES = new Set(['this']);

/** A render outside any node: while macro files register, nothing may be asked of a project. */
const REGISTERING: RenderHooks = {
  ref: () => {
    throw new MeshError('E_JINJA_CALL', 'ref() outside a macro: macro files are read for their macros only', { hint: 'Move the call into a macro.' });
  },
  source: () => {
    throw new MeshError('E_JINJA_CALL', 'source() outside a macro: macro files are read for their macros only', { hint: 'Move the call into a macro.' });
  },
  config: () => undefined,
  thisRelation: new Relation('', '', ''),
  isIncremental: false,
  vars: {},
  env: {},
};

function emptyAnswer(kind: IntrospectionRequest['kind']): unknown {
  switch (kind) {
    case 'statement':
      return { columns: [], rows: [] };
    case 'relation':
      return null;
    default:
      return [];
  }
}

/**
 * One environment per project: its macros and its packages' macros, dbt's own macro library, the target's
 * dialect, and dbt's name resolution (the node's package first, then the root project, packages by name,
 * `dbt`, and dbt's macros unprefixed), dispatch as dbt does it, and every error placed at its template line.
 */
export class JinjaEnvironment implements ContextHost {
  readonly projectName: string;
  private readonly nj = new nunjucks.Environment([], { autoescape: false, dev: true });
  private readonly runtime: JinjaRuntime;
  private readonly packages = new Map<string, Map<string, Callable>>();
  private readonly internal: string[];
  private readonly scopes = new Map<string, Record<string, unknown>>();
  private readonly context: Record<string, unknown>;
  private readonly states: State[] = [];
  private readonly dispatchConfig: DispatchEntry[];
  private readonly dialect: MacroDialect | undefined;
  private readonly renderedValues = new Map<string, CompiledTemplate>();
  /** dbt's `target` as templates see it; the parse stage fills it in from the resolved target. */
  target: Record<string, unknown> = { name: 'dev', type: 'duckdb', schema: 'main', database: '', threads: 1 };
  flags: Record<string, unknown> = { WHICH: 'compile', FULL_REFRESH: false, STORE_FAILURES: false, EMPTY: false, WARN_ERROR: false, FAIL_FAST: false };
  /**
   * dbt's `graph`: empty while the project parses, as in dbt; the run sets it from the manifest (see
   * runGraphOf), so templates rendered at run time find every node, source and group.
   */
  graph: Record<string, unknown> = emptyGraph();
  readonly invocationId = randomUUID();
  readonly runStartedAt = PyDateTime.fromUtcMillis(Date.now(), UTC);
  /** Where compiled templates are kept between runs; none by default. */
  cache: ParseCache | undefined;

  constructor(options: JinjaOptions = {}) {
    this.projectName = options.project ?? 'project';
    this.dialect = options.dialect;
    if (this.dialect) this.target.type = this.dialect.adapterType;
    this.dispatchConfig = options.dispatch ?? [];
    this.internal = [...(this.dialect ? [this.dialect.packageName] : []), DBT_PACKAGE];
    this.runtime = createRuntime({
      lookup: (name) => this.lookupName(name),
      enterMacro: (name) => {
        const state = this.states[this.states.length - 1];
        if (name && state?.hooks.onMacro) state.hooks.onMacro(name);
      },
    });
    this.context = createContext(this);
    installFilters(this.nj, jinjaTests((v) => typeof v === 'function' && (v as Callable).macroId !== undefined));
    this.nj.addExtension('DbtDo', new DoExtension());
    this.addNativeMacros(DBT_PACKAGE, globalMacros(() => this.statementResults()));
    if (this.dialect) this.addNativeMacros(this.dialect.packageName, this.dialect.macros);
  }

  // ---- ContextHost

  state(): State {
    const state = this.states[this.states.length - 1];
    if (!state) throw new Error('a dbt context function was called outside a render');
    return state;
  }

  /** A name a template reads that is not its own variable: the render's globals, its context, then its package's scope. */
  private lookupName(name: string): unknown {
    const state = this.states[this.states.length - 1];
    const globals = state?.hooks.globals;
    if (globals && Object.hasOwn(globals, name)) return globals[name];
    const stored = state?.contextStore;
    if (stored && Object.hasOwn(stored, name)) return stored[name];
    return (state?.scope ?? this.scopeFor(this.projectName))[name];
  }

  /**
   * dbt's `context`: the render's own namespace as a dict. Reading it finds what a name finds (`context['ref']`,
   * a macro by its name); what the render adds with `context.update(...)` stays for the rest of that render,
   * where packages keep state between their macros.
   */
  templateContext(): Record<string, unknown> {
    const state = this.state();
    const store = (state.contextStore ??= {});
    const find = (key: string): unknown => (Object.hasOwn(store, key) ? store[key] : this.lookupName(key));
    return new Proxy(store, {
      get: (target, key) => (typeof key === 'string' ? find(key) : undefined),
      has: (target, key) => typeof key === 'string' && find(key) !== undefined,
      getOwnPropertyDescriptor: (target, key) => {
        if (typeof key !== 'string') return undefined;
        if (Object.hasOwn(target, key)) return Object.getOwnPropertyDescriptor(target, key);
        const value = find(key);
        return value === undefined ? undefined : { value, writable: true, enumerable: false, configurable: true };
      },
    });
  }

  dispatch(name: string, namespace?: string): Callable {
    if (name.includes('.')) {
      const [ns, macroName] = name.split('.', 2) as [string, string];
      throw new MeshError('E_DISPATCH', `adapter.dispatch got the macro name "${name}", but "." is not part of a macro name`, {
        hint: `Write adapter.dispatch('${macroName}', macro_namespace='${ns}').`,
      });
    }
    const search = this.searchPackages(namespace);
    const prefixes = [String(this.target.type), ...(this.dialect?.parents ?? []), 'default'];
    const attempts: string[] = [];
    for (const pkg of search) {
      for (const prefix of prefixes) {
        const candidate = `${prefix}__${name}`;
        const found = this.fromPackage(pkg, candidate);
        attempts.push(pkg === null ? candidate : `${pkg}.${candidate}`);
        if (found) return found;
      }
    }
    throw new MeshError('E_DISPATCH', `In dispatch: no macro named '${name}' found within namespace '${namespace ?? 'None'}'; searched ${attempts.map((a) => `'${a}'`).join(', ')}`, {
      hint: namespace && !this.packages.has(namespace) && namespace !== DBT_PACKAGE
        ? `The package '${namespace}' is not installed: add it to packages.yml and install it under dbt_packages/ (dbt deps).`
        : `Define ${prefixes.map((p) => `${p}__${name}`).join(' or ')} in a macro file, or list the package that has it under dispatch: in the project file.`,
    });
  }

  macroContext(): MacroContext {
    const state = this.state();
    const env = this;
    return {
      call: (name, args = [], kwargs) => env.invoke(env.resolve(name), args, kwargs),
      lookup: (name) => env.resolve(name),
      dispatch: (name, namespace) => env.dispatch(name, namespace),
      invoke: (fn, args = [], kwargs) => env.invoke(fn, args, kwargs),
      get execute() {
        env.markDynamic();
        return state.hooks.execute === true;
      },
      ask<K extends IntrospectionRequest['kind']>(request: Extract<IntrospectionRequest, { kind: K }>): AnswerOf[K] {
        env.markDynamic();
        const introspection = state.hooks.introspection;
        if (!introspection || state.hooks.execute !== true) return emptyAnswer(request.kind) as AnswerOf[K];
        return introspection.ask(request);
      },
      relation: (database: string, schema: string, identifier: string, type: RelationType = null) => {
        const relation = new Relation(database, schema, identifier);
        relation.type = type;
        return relation;
      },
      translateType: (label) => env.translateType(label),
      target: this.target,
      vars: state.hooks.vars,
      warn: (message) => state.hooks.log?.(`warning: ${message}`),
    };
  }

  renderVar(name: string, text: string): unknown {
    const hooks = this.state().hooks;
    const place = hooks.varSource?.(name) ?? { file: `var '${name}'` };
    return this.renderValue(text, hooks, place);
  }

  renderString(text: string): string {
    if (!text.includes('{{') && !text.includes('{%') && !text.includes('{#')) return text;
    return String(this.renderValue(text, this.state().hooks, { file: 'render()' }));
  }

  translateType(label: string): string {
    if (this.dialect) return this.dialect.translateType(label);
    return label.toUpperCase() === 'STRING' ? 'TEXT' : label;
  }

  markDynamic(): void {
    const state = this.states[this.states.length - 1];
    if (!state || state.dynamic) return;
    state.dynamic = true;
    // Nested renders (a var's Jinja) belong to the node that reads them.
    for (const s of this.states) s.hooks.onDynamic?.();
  }

  // ---- macros

  /** Registers every top-level `{% macro %}` (and `{% test %}`, as `test_<name>`) of a macro file in a package. */
  addMacros(file: string, source: string, pkg = this.projectName): string[] {
    const template = this.compileNunjucks(file, source, true);
    const exported = this.withState(REGISTERING, pkg, file, () => {
      let result: Record<string, unknown> = {};
      (template as unknown as { getExported(ctx: object, cb: (err: Error | null, value: unknown) => void): void }).getExported({}, (err, value) => {
        if (err) throw err;
        result = value as Record<string, unknown>;
      });
      return result;
    });
    const macros = this.packageMacros(pkg);
    const names: string[] = [];
    for (const [name, value] of Object.entries(exported)) {
      if (typeof value !== 'function') continue;
      const fn = value as Callable;
      fn.macroName = name;
      fn.macroId = `macro.${pkg}.${name}`;
      macros.set(name, fn);
      names.push(name);
    }
    this.scopes.clear();
    return names;
  }

  /** Registers macros written in TypeScript (dbt's library, a dialect, stand-ins) in a package. */
  addNativeMacros(pkg: string, definitions: Readonly<Record<string, NativeMacro>>): void {
    const macros = this.packageMacros(pkg);
    for (const [name, definition] of Object.entries(definitions)) {
      const id = `macro.${pkg}.${name}`;
      const fn: Callable = (...raw: unknown[]) => {
        const state = this.states[this.states.length - 1];
        state?.hooks.onMacro?.(id);
        const { args, rest } = bindArguments(name, definition, raw);
        return definition.run(args, this.macroContext(), rest);
      };
      fn.macroName = name;
      fn.macroId = id;
      macros.set(name, fn);
    }
    this.scopes.clear();
  }

  hasMacro(name: string, pkg = this.projectName): boolean {
    return this.packages.get(pkg)?.has(name) === true;
  }

  /** The packages that hold a macro, installed ones first (not dbt's own), for resolving a generic test's name. */
  packagesWithMacro(name: string): string[] {
    return [...this.packages.keys()].filter((pkg) => this.packages.get(pkg)!.has(name) && !this.internal.includes(pkg));
  }

  /** Every macro by package, for the manifest: dbt's own are left out, as a project's manifest lists them apart. */
  listMacros(): Array<{ pkg: string; name: string; id: string }> {
    const out: Array<{ pkg: string; name: string; id: string }> = [];
    for (const [pkg, macros] of this.packages) {
      if (this.internal.includes(pkg)) continue;
      for (const [name, fn] of macros) out.push({ pkg, name, id: fn.macroId ?? `macro.${pkg}.${name}` });
    }
    return out;
  }

  /** Calls a macro with keyword arguments (a generic test's `test_<name>`) and returns its SQL. */
  callMacro(name: string, kwargs: Record<string, unknown>, hooks: RenderHooks, file: string, pkg?: string): string {
    return pyStr(this.invokeMacro(name, [], kwargs, hooks, file, pkg));
  }

  /**
   * Calls a macro as dbt's Python calls one (`generate_schema_name(custom_schema_name, node)`): what its
   * `return()` gave, else its text. `pkg` names the package whose macro it is; else the scope of the render's package.
   */
  invokeMacro(name: string, args: readonly unknown[], kwargs: Record<string, unknown>, hooks: RenderHooks, file: string, pkg?: string): unknown {
    return this.withState(hooks, hooks.package ?? this.projectName, file, () => {
      const fn = pkg ? this.packages.get(pkg)?.get(name) : (this.currentScope()[name] as Callable | undefined);
      if (typeof fn !== 'function') {
        throw new MeshError('E_JINJA_UNDEFINED', `the macro '${pkg ? `${pkg}.` : ''}${name}' is not defined`, { location: { file }, hint: 'Define it in a macro file, or install the package that has it.' });
      }
      return this.invoke(fn, args, kwargs);
    });
  }

  // ---- templates

  compile(file: string, source: string, pkg?: string): CompiledTemplate {
    const pieces = parseLiteralTemplate(source, CONTEXT_FUNCTIONS, CONTEXT_NAMES);
    if (pieces && !pieces.some((p) => typeof p === 'object' && 'fn' in p && this.overridden(p.fn, pkg ?? this.projectName))) {
      return { render: (hooks) => this.withState(hooks, hooks.package ?? pkg ?? this.projectName, file, () => this.renderPieces(pieces, file)) };
    }
    const template = this.compileNunjucks(file, source, false);
    return { render: (hooks) => this.withState(hooks, hooks.package ?? pkg ?? this.projectName, file, () => template.render({})) };
  }

  /**
   * Renders Jinja in a value of a YAML file (a var, a config, a test argument), placing errors at the value's
   * line. With `native`, the result is read back as a Python literal, as dbt's native rendering does
   * (`"{{ var('flag') }}"` gives a boolean).
   */
  renderValue(text: string, hooks: RenderHooks, place: { file: string; line?: number }, options: { native?: boolean } = {}): unknown {
    // Native rendering of a single expression hands back its value itself (a relation, a list), as dbt's does.
    const single = options.native ? /^\s*\{\{([\s\S]*?)\}\}\s*$/.exec(text) : null;
    const nativeExpr = single && !single[1]!.includes('}}') && !single[1]!.includes('{{') ? single[1]! : undefined;
    const source = nativeExpr === undefined ? text : `{{ __mesh_native__((${nativeExpr})) }}`;
    const key = `${place.file}\u0000${source}`;
    let template = this.renderedValues.get(key);
    try {
      if (!template) this.renderedValues.set(key, (template = this.compile(place.file, source)));
      if (nativeExpr !== undefined) {
        let value: unknown;
        template.render({ ...hooks, globals: { ...hooks.globals, __mesh_native__: (v: unknown) => { value = v; return ''; } } });
        return typeof value === 'string' ? literalEval(value) : value;
      }
      const out = template.render(hooks);
      return options.native ? literalEval(out) : out;
    } catch (error) {
      if (error instanceof Suspend) throw error;
      if (error instanceof MeshError && place.line !== undefined) {
        // A value's own line 1 is the YAML line it is on.
        const line = place.line + Math.max(0, (error.location?.line ?? 1) - 1);
        throw new MeshError(error.code, error.message, { hint: error.hint, details: error.details, location: { file: place.file, line } });
      }
      throw error;
    }
  }

  /** Calls something callable from a template with positional and keyword arguments. */
  invoke(fn: unknown, args: readonly unknown[] = [], kwargs?: Record<string, unknown>): unknown {
    if (typeof fn !== 'function') throw new MeshError('E_JINJA_CALL', `${pyStr(fn)} is not callable`);
    return (fn as (...a: unknown[]) => unknown)(...args, ...(kwargs && Object.keys(kwargs).length ? [keywordArgs(kwargs)] : []));
  }

  /** A dotted name (`dbt.dateadd`, `adapter.get_relation`) in the current node's scope. */
  resolve(name: string): unknown {
    const [head, ...rest] = name.split('.');
    let value: unknown = this.currentScope()[head!];
    for (const part of rest) value = pyMember(value, part);
    if (value === undefined) throw new MeshError('E_JINJA_UNDEFINED', `'${name}' is undefined`, { hint: 'Define the macro, or install the package that has it.' });
    return value;
  }

  // ---- internals

  private packageMacros(pkg: string): Map<string, Callable> {
    let macros = this.packages.get(pkg);
    if (!macros) this.packages.set(pkg, (macros = new Map()));
    return macros;
  }

  private statementResults() {
    return {
      store: (name: string, result: { response: unknown; table: never; data: unknown[][] }) => this.state().results.set(name, result),
      load: (name: string) => this.state().results.get(name) ?? undefined,
    };
  }

  /** Whether a context function's name is taken by a macro in this package's scope (a project's own `ref`). */
  private overridden(name: string, pkg: string): boolean {
    return this.scopeFor(pkg)[name] !== this.context[name];
  }

  /** The names a template in `pkg` sees, in dbt's order: the package's macros win, dbt's context comes last. */
  private scopeFor(pkg: string): Record<string, unknown> {
    let scope = this.scopes.get(pkg);
    if (scope) return scope;
    scope = Object.create(this.context) as Record<string, unknown>;
    const internals = Object.create(null) as Record<string, unknown>;
    for (const name of [...this.internal].reverse()) {
      for (const [macro, fn] of this.packages.get(name) ?? []) internals[macro] = fn;
    }
    Object.assign(scope, internals);
    for (const [name, macros] of this.packages) {
      if (this.internal.includes(name)) continue;
      scope[name] = Object.assign(Object.create(null), Object.fromEntries(macros));
    }
    scope[DBT_PACKAGE] = internals;
    for (const [macro, fn] of this.packages.get(this.projectName) ?? []) scope[macro] = fn;
    if (pkg !== this.projectName) for (const [macro, fn] of this.packages.get(pkg) ?? []) scope[macro] = fn;
    this.scopes.set(pkg, scope);
    return scope;
  }

  private currentScope(): Record<string, unknown> {
    return this.states[this.states.length - 1]?.scope ?? this.scopeFor(this.projectName);
  }

  /** dbt's search order for a namespace: the project's dispatch config, else the root project then the package. */
  private searchPackages(namespace: string | undefined): Array<string | null> {
    if (namespace === undefined || namespace === null) return [null];
    const configured = this.dispatchConfig.find((d) => d.macro_namespace === namespace)?.search_order;
    if (configured?.length) return configured;
    if (this.packages.has(namespace) || namespace === DBT_PACKAGE || namespace === this.projectName) return [this.projectName, namespace];
    return [null];
  }

  private fromPackage(pkg: string | null, name: string): Callable | undefined {
    if (pkg === null) {
      const value = this.currentScope()[name];
      return typeof value === 'function' ? (value as Callable) : undefined;
    }
    if (pkg === DBT_PACKAGE) {
      for (const internal of this.internal) {
        const found = this.packages.get(internal)?.get(name);
        if (found) return found;
      }
      return undefined;
    }
    return this.packages.get(pkg)?.get(name);
  }

  /** A template of plain text and literal calls, rendered without nunjucks; an error names the call's line. */
  private renderPieces(pieces: Piece[], file: string): string {
    let out = '';
    let line = 1;
    for (const piece of pieces) {
      if (typeof piece === 'string') {
        out += piece;
        for (let i = piece.indexOf('\n'); i >= 0; i = piece.indexOf('\n', i + 1)) line++;
      } else if ('fn' in piece) {
        const args: unknown[] = [...piece.args];
        if (Object.keys(piece.kwargs).length) args.push(keywordArgs(piece.kwargs as Record<string, Literal>));
        try {
          out += pyStr((this.context[piece.fn] as (...a: unknown[]) => unknown)(...args));
        } catch (error) {
          if (!(error instanceof MeshError) || error.location?.line) throw error;
          throw new MeshError(error.code, error.message, { hint: error.hint, details: error.details, node: error.node, location: { file, line } });
        }
      } else {
        out += pyStr(this.state().hooks.thisRelation);
      }
    }
    return out;
  }

  private compileNunjucks(file: string, text: string, macroFile: boolean): nunjucks.Template {
    const source = prepareDbtSource(file, text);
    let props: Record<string, unknown>;
    try {
      // nunjucks turns a template into JavaScript source; that source is what the cache keeps.
      const env = this.nj as unknown as { asyncFilters: unknown; extensionsList: unknown; opts: unknown };
      const compile = () =>
        instrumentCompiledCode((nunjucks as unknown as { compiler: { compile(...args: unknown[]): string } }).compiler.compile(source, env.asyncFilters, env.extensionsList, file, env.opts));
      const code = this.cache ? this.cache.jinja(source, compile) : compile();
      props = new Function(code)() as Record<string, unknown>;
    } catch (error) {
      throw syntaxError(file, error);
    }
    const runtime = this.runtime.forFile(file);
    for (const [key, value] of Object.entries(props)) {
      if (typeof value !== 'function') continue;
      const fn = value as (...a: unknown[]) => unknown;
      props[key] = (env: unknown, context: { macroFile?: boolean }, frame: unknown, _runtime: unknown, cb: unknown) => {
        if (macroFile) context.macroFile = true;
        return fn(env, context, frame, runtime, cb);
      };
    }
    return new nunjucks.Template({ type: 'code', obj: props } as unknown as string, this.nj, file, true);
  }

  private withState<T>(hooks: RenderHooks, pkg: string, file: string, fn: () => T): T {
    const state: State = { hooks, pkg, results: new Map(), dynamic: false, scope: withOverrides(this.scopeFor(pkg), hooks.macros) };
    this.states.push(state);
    try {
      return fn();
    } catch (error) {
      const inner = unwrap(error);
      if (inner instanceof Suspend) throw inner;
      const original = unwrap((inner as { original?: unknown }).original ?? inner);
      if (original instanceof Suspend) throw original;
      if (original instanceof MacroReturn) {
        throw new MeshError('E_JINJA_CALL', 'return() is only allowed inside a macro', { location: { file }, hint: 'Print the value with {{ value }} instead.' });
      }
      throw renderError(error, file, () => this.knownNames(pkg));
    } finally {
      this.states.pop();
    }
  }

  private knownNames(pkg: string): string[] {
    const names = new Set<string>();
    const scope = this.scopeFor(pkg);
    for (const key in scope) names.add(key);
    for (const [name, macros] of this.packages) {
      if (this.internal.includes(name)) continue;
      for (const macro of macros.keys()) names.add(`${name}.${macro}`);
    }
    for (const internal of this.internal) for (const macro of this.packages.get(internal)?.keys() ?? []) names.add(`dbt.${macro}`);
    return [...names];
  }
}

/**
 * A scope with a render's macro overrides in place of the macros they name. dbt makes an override of
 * `dbt.x` the global `x` too, and an override of `x` also `dbt.x`; `is_incremental` is answered by the
 * render's isIncremental instead.
 */
function withOverrides(scope: Record<string, unknown>, macros: RenderHooks['macros']): Record<string, unknown> {
  if (!macros) return scope;
  const names = Object.keys(macros).filter((name) => name !== 'is_incremental');
  if (!names.length) return scope;
  const out = Object.create(scope) as Record<string, unknown>;
  for (const name of names) {
    const value = macros[name];
    const dot = name.indexOf('.');
    const bare = dot < 0 ? name : name.slice(dot + 1);
    const namespace = dot < 0 ? DBT_PACKAGE : name.slice(0, dot);
    const returns = () => value;
    if (namespace === DBT_PACKAGE) out[bare] = returns;
    const current = out[namespace];
    if (current && typeof current === 'object') out[namespace] = Object.assign(Object.create(null), current, { [bare]: returns });
  }
  return out;
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

export type { RenderHooks };

/** The graph as templates see it while parsing: every collection empty. */
export function emptyGraph(): Record<string, unknown> {
  return { nodes: {}, sources: {}, exposures: {}, metrics: {}, groups: {}, semantic_models: {}, saved_queries: {}, unit_tests: {}, functions: {} };
}
