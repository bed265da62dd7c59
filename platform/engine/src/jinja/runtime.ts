import nunjucks from 'nunjucks';
import {
  PyError, PyTuple, isKeywordArgs, pyAdd, pyEq, pyIn, pyIter, pyMember, pyMod, pyMul, pySlice, pyStr, pyTruthy, splitArgs,
} from './python';
import { temporalArithmetic } from './datetime';
import { JinjaCallError, JinjaFault, MacroReturn, isSignal } from './errors';

/**
 * The runtime every compiled template receives (nunjucks passes it as `runtime`): nunjucks' own, with
 * Python's semantics for output, lookups and operators, dbt's macro calling convention, and name lookup
 * through the scope of the node being rendered.
 */

export interface MacroCall {
  varargs: unknown[];
  kwargs: Record<string, unknown>;
}

/** What the runtime asks of the environment that renders. */
export interface RuntimeHost {
  /** A name not bound in the template itself: a macro, a package namespace, a dbt context member. */
  lookup(name: string): unknown;
  /** Called when a macro body starts and ends (dbt's macro stack: depends_on.macros, error traces). */
  enterMacro?(name: string | undefined, file: string): void;
  leaveMacro?(): void;
}

type Fn = (...args: unknown[]) => unknown;
type Frame = { lookup(name: string): unknown };
type Context = { ctx: Record<string, unknown>; macroFile?: boolean };

/** nunjucks' macro body function: positional parameters, then an object of the keyword parameters. */
type MacroBody = (...args: unknown[]) => unknown;

export interface JinjaRuntime {
  readonly file: string;
  forFile(file: string): JinjaRuntime;
  /** The macros being executed, innermost last. */
  readonly calls: MacroCall[];
}

/** Loop state, as Jinja2's `loop` variable. */
class Loop {
  constructor(
    private readonly items: unknown[],
    private readonly i: number,
  ) {}
  get index(): number {
    return this.i + 1;
  }
  get index0(): number {
    return this.i;
  }
  get revindex(): number {
    return this.items.length - this.i;
  }
  get revindex0(): number {
    return this.items.length - this.i - 1;
  }
  get first(): boolean {
    return this.i === 0;
  }
  get last(): boolean {
    return this.i === this.items.length - 1;
  }
  get length(): number {
    return this.items.length;
  }
  get previtem(): unknown {
    return this.i > 0 ? this.items[this.i - 1] : undefined;
  }
  get nextitem(): unknown {
    return this.items[this.i + 1];
  }
  cycle(...values: unknown[]): unknown {
    return values[this.i % values.length];
  }
}

const cache = new WeakMap<MacroBody, { kwargs: boolean; varargs: boolean }>();

/** Whether a macro's body reads `kwargs` or `varargs`, which decides if extra arguments are an error (as in Jinja2). */
function catchAll(body: MacroBody): { kwargs: boolean; varargs: boolean } {
  let found = cache.get(body);
  if (!found) {
    const code = body.toString();
    found = { kwargs: code.includes('"kwargs")'), varargs: code.includes('"varargs")') };
    cache.set(body, found);
  }
  return found;
}

export function createRuntime(host: RuntimeHost): JinjaRuntime {
  const base = nunjucks.runtime as unknown as Record<string, unknown>;
  const runtime = Object.create(base) as Record<string, unknown> & JinjaRuntime;
  const calls: MacroCall[] = [];
  Object.defineProperty(runtime, 'calls', { value: calls });
  Object.defineProperty(runtime, 'file', { value: '', writable: true });

  runtime.suppressValue = (value: unknown) => pyStr(value);
  runtime.memberLookup = (obj: unknown, key: unknown) => pyMember(obj, key);
  runtime.pySlice = pySlice;
  runtime.pyTuple = (items: unknown[]) => PyTuple.from_(items);
  runtime.pyAdd = (a: unknown, b: unknown) => (typeof a === 'object' && a !== null && !Array.isArray(a) ? (temporalArithmetic(a, b, 1) ?? pyAdd(a, b)) : pyAdd(a, b));
  runtime.pySub = (a: unknown, b: unknown) => (typeof a === 'object' && a !== null ? temporalArithmetic(a, b, -1) : (a as number) - (b as number));
  runtime.pyMul = pyMul;
  runtime.pyMod = pyMod;
  runtime.pyEq = pyEq;
  runtime.pyIn = pyIn;
  runtime.pyTruthy = pyTruthy;
  runtime.pyConcat = (a: unknown, b: unknown) => pyStr(a) + pyStr(b);
  runtime.pyAnd = (a: unknown, b: () => unknown) => (pyTruthy(a) ? b() : a);
  runtime.pyOr = (a: unknown, b: () => unknown) => (pyTruthy(a) ? a : b());
  runtime.pyLoop = (items: unknown[], i: number) => new Loop(items, i);
  runtime.pyLoopItems = (value: unknown) => pyIter(value);
  runtime.pyUnpack = (value: unknown, n: number) => {
    const items = Array.isArray(value) ? value : pyIter(value);
    if (items.length !== n) {
      throw new PyError('ValueError', items.length > n ? `too many values to unpack (expected ${n})` : `not enough values to unpack (expected ${n}, got ${items.length})`);
    }
    return items;
  };
  runtime.pySetAttr = (target: unknown, attr: unknown, value: unknown) => {
    if (target === null || target === undefined || typeof target !== 'object') {
      throw new PyError('AttributeError', `cannot set attribute '${String(attr)}' on ${pyStr(target)}; use namespace() for values set inside a loop`);
    }
    (target as Record<string, unknown>)[String(attr)] = value;
  };
  runtime.contextOrFrameLookup = (context: Context, frame: Frame, name: string) => {
    const own = frame.lookup(name);
    if (own !== undefined) return own;
    // A macro file's own top-level names are not what its macros see: dbt compiles each macro on its own.
    const inTemplate = context.macroFile ? undefined : context.ctx[name];
    if (inTemplate !== undefined) return inTemplate;
    if (name === 'varargs' || name === 'kwargs') {
      const call = calls[calls.length - 1];
      return call ? call[name] : undefined;
    }
    return host.lookup(name);
  };
  runtime.handleError = function handleError(this: JinjaRuntime, error: unknown, lineno: number, colno: number) {
    if (isSignal(error)) return error;
    return JinjaFault.at(error, this.file, lineno, colno);
  };
  runtime.fromIterator = (value: unknown) => pyIter(value);
  runtime.callWrap = (fn: unknown, name: string, context: unknown, args: unknown[]) => {
    if (typeof fn !== 'function') throw new JinjaCallError(name, fn);
    return (fn as Fn).apply(context, args);
  };

  /**
   * dbt's (Jinja2's) calling convention for a macro: positional arguments fill the parameters in order, then
   * those with defaults; keyword arguments go by name; extra ones land in `varargs` and `kwargs` when the
   * body reads them, and are an error when it does not. `return()` ends the macro with its value.
   */
  runtime.makeMacro = function makeMacro(this: JinjaRuntime, position: () => [number, number], isCaller: boolean, argNames: string[], kwargNames: string[], body: MacroBody) {
    const file = this.file;
    const wrapper = function macro(this: unknown, ...raw: unknown[]): unknown {
      const { args, kwargs } = splitArgs(raw);
      const positional = new Array<unknown>(argNames.length);
      const named: Record<string, unknown> = {};
      const call: MacroCall = { varargs: [], kwargs: {} };
      args.forEach((value, i) => {
        if (i < argNames.length) positional[i] = value;
        else if (i - argNames.length < kwargNames.length) named[kwargNames[i - argNames.length]!] = value;
        else call.varargs.push(value);
      });
      for (const [key, value] of Object.entries(kwargs)) {
        const at = argNames.indexOf(key);
        if (at >= 0) positional[at] = value;
        else if (key === 'caller' || kwargNames.includes(key)) named[key] = value;
        else call.kwargs[key] = value;
      }
      const extra = Object.keys(call.kwargs);
      if (call.varargs.length || extra.length) {
        // Only a call with extra arguments needs to know whether the body reads varargs or kwargs.
        const reads = catchAll(body);
        const name = (wrapper as { macroName?: string }).macroName ?? 'macro';
        if (call.varargs.length && !reads.varargs) {
          throw new PyError('TypeError', `macro '${name}' takes not more than ${argNames.length + kwargNames.length} argument(s)`);
        }
        if (extra.length && !reads.kwargs) throw new PyError('TypeError', `macro '${name}' takes no keyword argument '${extra[0]}'`);
      }
      call.varargs = PyTuple.from_(call.varargs);
      if (!isCaller) {
        calls.push(call);
        host.enterMacro?.((wrapper as { macroId?: string }).macroId, file);
      }
      try {
        return body.apply(this, [...positional, named]);
      } catch (error) {
        if (!isCaller && error instanceof MacroReturn) return error.value;
        if (isSignal(error)) throw error;
        const [line, column] = position();
        throw JinjaFault.at(error, file, line, column);
      } finally {
        if (!isCaller) {
          calls.pop();
          host.leaveMacro?.();
        }
      }
    };
    return wrapper;
  };

  /** The arguments of a call with `*args` or `**kwargs`, spread as Python spreads them. */
  runtime.pyCallArgs = (parts: unknown[]) => {
    const positional: unknown[] = [];
    const keywords: Record<string, unknown> = {};
    for (const part of parts) {
      const splat = part as { __splat?: string; value?: unknown };
      if (splat && typeof splat === 'object' && splat.__splat === '*') positional.push(...pyIter(splat.value));
      else if (splat && typeof splat === 'object' && splat.__splat === '**') Object.assign(keywords, splitArgs([{ ...(splat.value as object), __keywords: true }]).kwargs);
      else if (isKeywordArgs(part)) Object.assign(keywords, splitArgs([part]).kwargs);
      else positional.push(part);
    }
    return Object.keys(keywords).length ? [...positional, { ...keywords, __keywords: true }] : positional;
  };

  runtime.forFile = function forFile(file: string): JinjaRuntime {
    const child = Object.create(runtime) as JinjaRuntime;
    Object.defineProperty(child, 'file', { value: file });
    return child;
  };
  return runtime;
}

/**
 * nunjucks' compiled code creates macros with `runtime.makeMacro(argNames, kwargNames, body)`; the engine's
 * runtime also wants where the macro's file is (its line counter, for errors) and whether it is the body
 * of a `{% call %}` block (whose `return()` belongs to the enclosing macro).
 */
export function instrumentCompiledCode(code: string): string {
  if (!code.includes('runtime.makeMacro(')) return code;
  // dbt registers every macro of a file, `_private` ones too (nunjucks exports only the others).
  return restoreCallerFrames(code)
    .replace(/(context\.setVariable|frame\.set)\("([^"]+)", (macro_t_\d+)\);/g, (whole, how: string, name: string, id: string) =>
      `${whole}\n${id}.macroName = ${id}.macroName || ${JSON.stringify(name)};${how === 'context.setVariable' && name.startsWith('_') ? `\ncontext.addExport(${JSON.stringify(name)});` : ''}`)
    .replace(/var (macro_t_\d+) = runtime\.makeMacro\(\n/g, (whole: string, id: string, offset: number, all: string) => {
      const caller = all.endsWith('(function (){', offset) ? 'true' : 'false';
      return `var ${id} = runtime.makeMacro(function () { return [lineno, colno]; }, ${caller},\n`;
    });
}

/**
 * A macro's body swaps the file's `frame` for its own and puts the caller's back only when it ends normally;
 * `return()` and errors leave by throwing, so the caller's frame is put back in a `finally`. Without it a
 * caller in the same file goes on reading its own arguments from the callee's frame, and finds them undefined.
 */
function restoreCallerFrames(code: string): string {
  const opening = /\nvar callerFrame = frame;\n/g;
  const closing = /\nframe = (?:frame\.pop\(\)|callerFrame);\nreturn new runtime\.SafeString\((t_\d+)\);\n\}\);/g;
  // Every macro nunjucks compiles has one of each; code of another shape is left as it is.
  if (code.match(opening)?.length !== code.match(closing)?.length) return code;
  return code
    .replace(opening, '\nvar callerFrame = frame;\ntry {\n')
    .replace(closing, '\nreturn new runtime.SafeString($1);\n} finally { frame = callerFrame; }\n});');
}

export { isKeywordArgs };
