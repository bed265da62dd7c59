import { MeshError } from '@mesh/errors';
import type { Relation, RelationType } from '../parse/relation';
import type { AnswerOf, IntrospectionRequest } from './introspection';
import { keywordArgs, pyRepr, splitArgs } from './python';

/**
 * Macros written in TypeScript, callable from templates as dbt's macros are: dbt's own macro library (the
 * `dbt` namespace), a database dialect's spellings of it (`duckdb__dateadd`, from the adapter packages), and
 * the engine's stand-ins for dbt_utils when that package is not installed. The interface is public so an
 * adapter package can provide its dialect without reaching into the engine.
 */

/** A parameter: a name, or a name and its default (`['delimiter_text', "','"]`). */
export type MacroParam = string | readonly [name: string, fallback: unknown];

/** What a native macro may do besides reading its arguments. */
export interface MacroContext {
  /** Calls a macro by the name a template would write (`dateadd`, `dbt.date_trunc`, `dbt_utils.star`), through the node's scope. */
  call(name: string, args?: readonly unknown[], kwargs?: Record<string, unknown>): unknown;
  /** A callable as a template sees it: a macro, a context function. */
  lookup(name: string): unknown;
  /** dbt's adapter.dispatch(name, namespace): the macro dispatch finds. */
  dispatch(name: string, namespace?: string): (...args: unknown[]) => unknown;
  /** Calls something callable from a template (a macro, `caller`) with positional and keyword arguments. */
  invoke(fn: unknown, args?: readonly unknown[], kwargs?: Record<string, unknown>): unknown;
  /** dbt's `execute`: false while parsing, true at run time. Reading it marks the node as rendered again at run time. */
  readonly execute: boolean;
  /**
   * Asks the database, at run time; marks the node as needing the database. The answer is real: the render
   * is suspended and replayed until it is (see introspection.ts).
   */
  ask<K extends IntrospectionRequest['kind']>(request: Extract<IntrospectionRequest, { kind: K }>): AnswerOf[K];
  relation(database: string, schema: string, identifier: string, type?: RelationType): Relation;
  /** api.Column.translate_type of the target's dialect. */
  translateType(label: string): string;
  readonly target: Readonly<Record<string, unknown>>;
  readonly vars: Readonly<Record<string, unknown>>;
  warn(message: string): void;
}

export interface NativeMacro {
  readonly params: readonly MacroParam[];
  /** Whether extra positional or keyword arguments are accepted (as `varargs`/`kwargs`). */
  readonly rest?: boolean;
  run(args: Record<string, unknown>, ctx: MacroContext, rest: { varargs: unknown[]; kwargs: Record<string, unknown> }): unknown;
}

export function macro(params: readonly MacroParam[], run: NativeMacro['run'], rest = false): NativeMacro {
  return { params, run, rest };
}

/** A macro that always renders the same text. */
export function fixed(text: string): NativeMacro {
  return macro([], () => text);
}

/**
 * A database's spellings of dbt's macros (its adapter's `<type>__name` implementations), and its answers
 * to `api.Column.translate_type`. The engine's dispatch searches them before dbt's `default__` ones.
 */
export interface MacroDialect {
  /** The adapter type, the first dispatch prefix (`duckdb` for `duckdb__dateadd`). */
  readonly adapterType: string;
  /** The internal package its macros belong to (dbt-duckdb's `dbt_duckdb`). */
  readonly packageName: string;
  /** Adapter types it inherits macros from, searched after its own and before `default`. */
  readonly parents?: readonly string[];
  /** By full name: `duckdb__dateadd`, `duckdb__get_columns_in_relation`. */
  readonly macros: Readonly<Record<string, NativeMacro>>;
  translateType(label: string): string;
}

/** Binds a call's arguments to a native macro's parameters as Jinja2 binds a macro's. */
export function bindArguments(name: string, definition: NativeMacro, raw: readonly unknown[]): { args: Record<string, unknown>; rest: { varargs: unknown[]; kwargs: Record<string, unknown> } } {
  const { args, kwargs } = splitArgs(raw);
  const names = definition.params.map((p) => (typeof p === 'string' ? p : p[0]));
  const bound: Record<string, unknown> = {};
  const rest = { varargs: [] as unknown[], kwargs: {} as Record<string, unknown> };
  args.forEach((value, i) => {
    if (i < names.length) bound[names[i]!] = value;
    else rest.varargs.push(value);
  });
  for (const [key, value] of Object.entries(kwargs)) {
    if (names.includes(key) || key === 'caller') bound[key] = value;
    else rest.kwargs[key] = value;
  }
  if (!definition.rest) {
    if (rest.varargs.length) {
      throw new MeshError('E_JINJA_CALL', `${name}() takes at most ${names.length} argument${names.length === 1 ? '' : 's'}, got ${args.length}`, { hint: `Its parameters are ${names.join(', ') || '(none)'}.` });
    }
    const extra = Object.keys(rest.kwargs);
    if (extra.length) {
      throw new MeshError('E_JINJA_CALL', `${name}() got an unexpected argument '${extra[0]}'`, { hint: `Its parameters are ${names.join(', ') || '(none)'}.` });
    }
  }
  for (const p of definition.params) {
    if (typeof p !== 'string' && bound[p[0]] === undefined) bound[p[0]] = cloneDefault(p[1]);
  }
  return { args: bound, rest };
}

function cloneDefault(value: unknown): unknown {
  if (Array.isArray(value)) return [...value];
  if (value && typeof value === 'object' && Object.getPrototypeOf(value) === Object.prototype) return { ...value };
  return value;
}

/** A list argument, or an error naming the macro and the argument. */
export function listArgument(macroName: string, arg: string, value: unknown): unknown[] {
  if (value === null || value === undefined) return [];
  if (!Array.isArray(value)) {
    throw new MeshError('E_JINJA_CALL', `${macroName}(): ${arg} must be a list, got ${pyRepr(value)}`, { hint: `Write ${arg}=['a', 'b'].` });
  }
  return value;
}

export { keywordArgs };
