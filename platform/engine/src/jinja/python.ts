/**
 * Python's semantics for the values dbt templates handle. dbt renders Jinja2, which is Python: `{{ None }}`
 * prints `None`, `[1] == [1]` is true, `'abc'[-1]` is `c`, `'%s' % x` formats, `'-' * 3` repeats, and a
 * dict iterates over its keys. nunjucks gives JavaScript's answers; the engine's templates get these.
 */

/** A Python object a template can index, measure and iterate (agate tables and rows, relations' paths). */
export interface PyObject {
  pyGetItem?(key: unknown): unknown;
  pyLen?(): number;
  pyIter?(): unknown[];
  pyStr?(): string;
}

export class PyError extends Error {
  constructor(
    readonly pyType: 'TypeError' | 'KeyError' | 'ValueError' | 'IndexError' | 'AttributeError',
    message: string,
  ) {
    super(`${pyType}: ${message}`);
  }
}

export function isPlainObject(value: unknown): value is Record<string, unknown> {
  if (value === null || typeof value !== 'object' || Array.isArray(value)) return false;
  const proto = Object.getPrototypeOf(value);
  return proto === Object.prototype || proto === null;
}

/** nunjucks' keyword arguments object, the last argument of a call with `name=value` arguments. */
export interface KeywordArgs {
  __keywords: true;
  [key: string]: unknown;
}

export function isKeywordArgs(value: unknown): value is KeywordArgs {
  return isPlainObject(value) && (value as { __keywords?: unknown }).__keywords === true;
}

export function keywordArgs(values: Record<string, unknown>): KeywordArgs {
  return { ...values, __keywords: true };
}

/** Splits a call's arguments as nunjucks passes them into positional and keyword arguments. */
export function splitArgs(raw: readonly unknown[]): { args: unknown[]; kwargs: Record<string, unknown> } {
  const last = raw[raw.length - 1];
  if (isKeywordArgs(last)) {
    const { __keywords: _, ...kwargs } = last;
    return { args: raw.slice(0, -1), kwargs };
  }
  return { args: [...raw], kwargs: {} };
}

/** A Python tuple: a list to every operation here, printed with parentheses (`(1, 2)`, `(1,)`). */
export class PyTuple extends Array<unknown> {
  static from_(items: readonly unknown[]): PyTuple {
    return Object.setPrototypeOf([...items], PyTuple.prototype) as PyTuple;
  }
}

/** Python's `repr()`, which `str()` of a list or dict uses for its items. */
export function pyRepr(value: unknown): string {
  if (typeof value === 'string') {
    const quote = value.includes("'") && !value.includes('"') ? '"' : "'";
    const body = value.replace(/\\/g, '\\\\').replace(/\n/g, '\\n').replace(/\t/g, '\\t').replace(/\r/g, '\\r');
    return `${quote}${quote === "'" ? body.replace(/'/g, "\\'") : body}${quote}`;
  }
  if (value && typeof value === 'object' && typeof (value as { pyRepr?: unknown }).pyRepr === 'function') {
    return (value as { pyRepr(): string }).pyRepr();
  }
  return pyStr(value);
}

function numberStr(n: number): string {
  if (Number.isNaN(n)) return 'nan';
  if (n === Infinity) return 'inf';
  if (n === -Infinity) return '-inf';
  return String(n);
}

/** Python's `str()`: what `{{ value }}` and `~` print. */
export function pyStr(value: unknown): string {
  if (value === undefined) return '';
  if (value === null) return 'None';
  if (value === true) return 'True';
  if (value === false) return 'False';
  if (typeof value === 'string') return value;
  if (typeof value === 'number') return numberStr(value);
  if (typeof value === 'bigint') return value.toString();
  if (value instanceof PyTuple) return value.length === 1 ? `(${pyRepr(value[0])},)` : `(${Array.from(value, pyRepr).join(', ')})`;
  if (Array.isArray(value)) return `[${value.map(pyRepr).join(', ')}]`;
  if (isPlainObject(value)) {
    return `{${Object.entries(value).map(([k, v]) => `${pyRepr(k)}: ${pyRepr(v)}`).join(', ')}}`;
  }
  if (typeof value === 'object' && typeof (value as PyObject).pyStr === 'function') return (value as PyObject).pyStr!();
  if (typeof value === 'function') return `<function ${(value as { name?: string }).name || 'macro'}>`;
  return String(value);
}

/** Python's truth: empty lists, dicts and strings are false, as are 0, None and undefined. */
export function pyTruthy(value: unknown): boolean {
  if (Array.isArray(value)) return value.length > 0;
  if (value && typeof value === 'object' && typeof (value as { pyBool?: unknown }).pyBool === 'function') return (value as { pyBool(): boolean }).pyBool();
  if (isPlainObject(value)) return Object.keys(value).length > 0;
  if (value && typeof value === 'object' && typeof (value as PyObject).pyLen === 'function') return (value as PyObject).pyLen!() > 0;
  return Boolean(value);
}

/** Python's `==`: lists and dicts compare by value. */
export function pyEq(a: unknown, b: unknown): boolean {
  if (a === b) return true;
  if (a === undefined || b === undefined) return false;
  if (typeof a === 'number' && typeof b === 'bigint') return BigInt(Math.trunc(a)) === b && Number.isInteger(a);
  if (typeof a === 'bigint' && typeof b === 'number') return pyEq(b, a);
  if (Array.isArray(a) && Array.isArray(b)) return a.length === b.length && a.every((x, i) => pyEq(x, b[i]));
  if (isPlainObject(a) && isPlainObject(b)) {
    const keys = Object.keys(a);
    return keys.length === Object.keys(b).length && keys.every((k) => Object.hasOwn(b, k) && pyEq(a[k], b[k]));
  }
  if (a && b && typeof a === 'object' && typeof b === 'object' && typeof (a as { pyEq?: unknown }).pyEq === 'function') {
    return (a as { pyEq(other: unknown): boolean }).pyEq(b);
  }
  // A string equals a relation or SafeString with the same text, as str subclasses do in Python.
  if (typeof a === 'string' && b instanceof String) return a === b.toString();
  if (typeof b === 'string' && a instanceof String) return b === a.toString();
  return false;
}

export function pyLen(value: unknown): number {
  if (typeof value === 'string' || Array.isArray(value)) return value.length;
  if (value instanceof String) return value.toString().length;
  if (isPlainObject(value)) return Object.keys(value).length;
  if (value && typeof value === 'object' && typeof (value as PyObject).pyLen === 'function') return (value as PyObject).pyLen!();
  if (value === undefined) return 0;
  throw new PyError('TypeError', `object of type '${pyTypeName(value)}' has no len()`);
}

export function pyTypeName(value: unknown): string {
  if (value === null) return 'NoneType';
  if (value === undefined) return 'Undefined';
  if (typeof value === 'string' || value instanceof String) return 'str';
  if (typeof value === 'number') return Number.isInteger(value) ? 'int' : 'float';
  if (typeof value === 'boolean') return 'bool';
  if (Array.isArray(value)) return 'list';
  if (isPlainObject(value)) return 'dict';
  return (value as object).constructor?.name ?? 'object';
}

/** What `for x in value` walks: a dict's keys, a string's characters, an object's own iteration. */
export function pyIter(value: unknown): unknown[] {
  if (value === undefined || value === null) {
    if (value === null) throw new PyError('TypeError', "'NoneType' object is not iterable");
    return [];
  }
  if (Array.isArray(value)) return value;
  if (typeof value === 'string' || value instanceof String) return [...value.toString()];
  if (isPlainObject(value)) return Object.keys(value);
  if (typeof (value as PyObject).pyIter === 'function') return (value as PyObject).pyIter!();
  if (typeof (value as Iterable<unknown>)[Symbol.iterator] === 'function') return Array.from(value as Iterable<unknown>);
  throw new PyError('TypeError', `'${pyTypeName(value)}' object is not iterable`);
}

/** `x in y`: a substring, a list item, a dict key. */
export function pyIn(item: unknown, container: unknown): boolean {
  if (container === undefined) return false;
  if (typeof container === 'string' || container instanceof String) return container.toString().includes(pyStr(item));
  if (Array.isArray(container)) return container.some((x) => pyEq(x, item));
  if (isPlainObject(container)) return Object.hasOwn(container, String(item));
  if (container && typeof container === 'object') {
    if (typeof (container as { pyContains?: unknown }).pyContains === 'function') return (container as { pyContains(x: unknown): boolean }).pyContains(item);
    return pyIter(container).some((x) => pyEq(x, item));
  }
  throw new PyError('TypeError', `argument of type '${pyTypeName(container)}' is not iterable`);
}

/** Python's `+`: lists and strings join, numbers add. */
export function pyAdd(a: unknown, b: unknown): unknown {
  if (Array.isArray(a) && Array.isArray(b)) return [...a, ...b];
  if (typeof a === 'bigint' || typeof b === 'bigint') return BigInt(a as number) + BigInt(b as number);
  if (a instanceof String) a = a.toString();
  if (b instanceof String) b = b.toString();
  return (a as number) + (b as number);
}

/** Python's `*`: a string or list repeated, numbers multiplied. */
export function pyMul(a: unknown, b: unknown): unknown {
  if ((typeof a === 'string' || Array.isArray(a)) && typeof b === 'number') return repeat(a, b);
  if ((typeof b === 'string' || Array.isArray(b)) && typeof a === 'number') return repeat(b, a);
  return (a as number) * (b as number);
}

function repeat(value: string | unknown[], times: number): string | unknown[] {
  if (typeof value === 'string') return value.repeat(Math.max(0, times));
  const out: unknown[] = [];
  for (let i = 0; i < times; i++) out.push(...value);
  return out;
}

/** Python's `%`: string formatting when the left side is a string, else the modulo (floored, as Python's). */
export function pyMod(a: unknown, b: unknown): unknown {
  if (typeof a === 'string' || a instanceof String) return percentFormat(a.toString(), b);
  const x = a as number;
  const y = b as number;
  return x - Math.floor(x / y) * y;
}

/** `'%s, %d' % (a, b)` and `'%(name)s' % {'name': v}`. */
export function percentFormat(format: string, values: unknown): string {
  const list = Array.isArray(values) ? values : [values];
  let i = 0;
  return format.replace(/%(\([^)]*\))?([-+ 0#]*)(\d+|\*)?(?:\.(\d+))?([sdirfFeEgGxXoc%])/g, (whole, key: string | undefined, flags: string, width: string | undefined, precision: string | undefined, conv: string) => {
    if (conv === '%') return '%';
    const value = key !== undefined ? (values as Record<string, unknown>)[key.slice(1, -1)] : list[i++];
    let text: string;
    switch (conv) {
      case 's': text = pyStr(value); break;
      case 'r': text = pyRepr(value); break;
      case 'd': case 'i': text = String(Math.trunc(Number(value))); break;
      case 'f': case 'F': text = Number(value).toFixed(precision === undefined ? 6 : Number(precision)); break;
      case 'e': case 'E': text = Number(value).toExponential(precision === undefined ? 6 : Number(precision)); break;
      case 'g': case 'G': text = String(Number(value)); break;
      case 'x': text = Math.trunc(Number(value)).toString(16); break;
      case 'X': text = Math.trunc(Number(value)).toString(16).toUpperCase(); break;
      case 'o': text = Math.trunc(Number(value)).toString(8); break;
      case 'c': text = typeof value === 'number' ? String.fromCharCode(value) : pyStr(value); break;
      default: return whole;
    }
    if (width && width !== '*') {
      const w = Number(width);
      if (flags.includes('-')) text = text.padEnd(w);
      else text = text.padStart(w, flags.includes('0') && conv !== 's' ? '0' : ' ');
    }
    return text;
  });
}

/** `str.format()`: `{}`, `{0}`, `{name}` and simple format specs (`{:>10}`, `{:.2f}`). */
export function strFormat(format: string, args: unknown[], kwargs: Record<string, unknown>): string {
  let auto = 0;
  return format.replace(/\{\{|\}\}|\{([^{}:!]*)(?:![rsa])?(?::([^{}]*))?\}/g, (whole, field: string | undefined, spec: string | undefined) => {
    if (whole === '{{') return '{';
    if (whole === '}}') return '}';
    const name = field ?? '';
    const [head, ...path] = name.split('.');
    let value: unknown = head === '' ? args[auto++] : /^\d+$/.test(head!) ? args[Number(head)] : kwargs[head!];
    for (const attr of path) value = (value as Record<string, unknown> | undefined)?.[attr];
    return spec ? formatSpec(value, spec) : pyStr(value);
  });
}

function formatSpec(value: unknown, spec: string): string {
  const m = /^(.?[<>^=])?([+\- ])?(0)?(\d+)?(,)?(?:\.(\d+))?([sdfeEgG%x])?$/.exec(spec);
  if (!m) return pyStr(value);
  const [, align, , zero, width, comma, precision, type] = m;
  let text: string;
  if (type === 'f' || (precision !== undefined && type === undefined && typeof value === 'number')) text = Number(value).toFixed(Number(precision ?? 6));
  else if (type === '%') text = `${(Number(value) * 100).toFixed(Number(precision ?? 6))}%`;
  else if (type === 'd') text = String(Math.trunc(Number(value)));
  else text = pyStr(value);
  if (comma) text = text.replace(/\B(?=(\d{3})+(?!\d))/g, ',');
  if (width) {
    const w = Number(width);
    const fill = align && align.length === 2 ? align[0]! : zero ? '0' : ' ';
    const dir = align ? align[align.length - 1] : typeof value === 'number' ? '>' : '<';
    if (dir === '<') text = text.padEnd(w, fill);
    else if (dir === '^') {
      const left = Math.floor((w - text.length) / 2);
      text = text.padStart(text.length + Math.max(0, left), fill).padEnd(w, fill);
    } else text = text.padStart(w, fill);
  }
  return text;
}

function index(length: number, i: number): number {
  return i < 0 ? length + i : i;
}

/** `x[i]`: negative indexes count from the end, as Python's. */
export function pyGetItem(obj: unknown, key: unknown): unknown {
  if (typeof key === 'number' && Number.isInteger(key)) {
    if (Array.isArray(obj)) return obj[index(obj.length, key)];
    if (typeof obj === 'string' || obj instanceof String) {
      const s = obj.toString();
      return s[index(s.length, key)];
    }
  }
  return undefined;
}

/** `x[a:b:c]` for strings and lists. */
export function pySlice(obj: unknown, start: number | null, stop: number | null, step: number | null): unknown {
  const isString = typeof obj === 'string' || obj instanceof String;
  const seq: unknown[] = isString ? [...(obj as string).toString()] : Array.isArray(obj) ? obj : obj == null ? [] : pyIter(obj);
  const n = seq.length;
  const s = step ?? 1;
  if (s === 0) throw new PyError('ValueError', 'slice step cannot be zero');
  const clamp = (v: number, lo: number, hi: number) => Math.min(Math.max(v, lo), hi);
  let from: number;
  let to: number;
  if (s > 0) {
    from = start === null ? 0 : clamp(index(n, start), 0, n);
    to = stop === null ? n : clamp(index(n, stop), 0, n);
  } else {
    from = start === null ? n - 1 : clamp(index(n, start), -1, n - 1);
    to = stop === null ? -1 : clamp(index(n, stop), -1, n - 1);
  }
  const out: unknown[] = [];
  for (let i = from; s > 0 ? i < to : i > to; i += s) out.push(seq[i]);
  return isString ? out.join('') : out;
}

const escapeRe = (s: string) => s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');

function stripChars(s: string, chars: unknown, side: 'both' | 'left' | 'right'): string {
  if (chars === undefined || chars === null) return side === 'both' ? s.trim() : side === 'left' ? s.trimStart() : s.trimEnd();
  const set = `[${escapeRe(String(chars))}]+`;
  if (side !== 'right') s = s.replace(new RegExp(`^${set}`), '');
  if (side !== 'left') s = s.replace(new RegExp(`${set}$`), '');
  return s;
}

type Method = (self: never, ...args: unknown[]) => unknown;

/** Python's str methods that dbt code calls (`'x'.upper()`, `name.split('.')`, `'{} {}'.format(a, b)`). */
export const STR_METHODS: Readonly<Record<string, (s: string, ...a: unknown[]) => unknown>> = {
  upper: (s) => s.toUpperCase(),
  lower: (s) => s.toLowerCase(),
  casefold: (s) => s.toLowerCase(),
  strip: (s, chars) => stripChars(s, chars, 'both'),
  lstrip: (s, chars) => stripChars(s, chars, 'left'),
  rstrip: (s, chars) => stripChars(s, chars, 'right'),
  title: (s) => s.replace(/[A-Za-z]+/g, (w) => w[0]!.toUpperCase() + w.slice(1).toLowerCase()),
  capitalize: (s) => s.charAt(0).toUpperCase() + s.slice(1).toLowerCase(),
  swapcase: (s) => [...s].map((c) => (c === c.toUpperCase() ? c.toLowerCase() : c.toUpperCase())).join(''),
  replace: (s, a, b, count) => {
    const from = String(a);
    const to = String(b);
    if (count === undefined || count === null || Number(count) < 0) return s.split(from).join(to);
    let out = s;
    let pos = 0;
    for (let n = 0; n < Number(count); n++) {
      const at = out.indexOf(from, pos);
      if (at < 0) break;
      out = out.slice(0, at) + to + out.slice(at + from.length);
      pos = at + to.length;
    }
    return out;
  },
  split: (s, sep, maxsplit) => {
    const limit = maxsplit === undefined || maxsplit === null ? -1 : Number(maxsplit);
    if (sep === undefined || sep === null) {
      const parts = s.trim().split(/\s+/).filter((p) => p !== '');
      return limit < 0 || parts.length <= limit + 1 ? parts : [...parts.slice(0, limit), parts.slice(limit).join(' ')];
    }
    const parts = s.split(String(sep));
    return limit < 0 || parts.length <= limit + 1 ? parts : [...parts.slice(0, limit), parts.slice(limit).join(String(sep))];
  },
  rsplit: (s, sep, maxsplit) => {
    const limit = maxsplit === undefined || maxsplit === null ? -1 : Number(maxsplit);
    const d = sep === undefined || sep === null ? ' ' : String(sep);
    const parts = s.split(d);
    return limit < 0 || parts.length <= limit + 1 ? parts : [parts.slice(0, parts.length - limit).join(d), ...parts.slice(parts.length - limit)];
  },
  splitlines: (s) => s.split(/\r?\n/),
  startswith: (s, p) => (Array.isArray(p) ? p.some((x) => s.startsWith(String(x))) : s.startsWith(String(p))),
  endswith: (s, p) => (Array.isArray(p) ? p.some((x) => s.endsWith(String(x))) : s.endsWith(String(p))),
  find: (s, sub) => s.indexOf(String(sub)),
  rfind: (s, sub) => s.lastIndexOf(String(sub)),
  index: (s, sub) => {
    const i = s.indexOf(String(sub));
    if (i < 0) throw new PyError('ValueError', 'substring not found');
    return i;
  },
  count: (s, sub) => (String(sub) === '' ? s.length + 1 : s.split(String(sub)).length - 1),
  format: (s, ...raw) => {
    const { args, kwargs } = splitArgs(raw);
    return strFormat(s, args, kwargs);
  },
  join: (s, items) => pyIter(items).map(pyStr).join(s),
  isdigit: (s) => /^\d+$/.test(s),
  isnumeric: (s) => /^\d+$/.test(s),
  isalpha: (s) => /^[A-Za-z]+$/.test(s),
  isalnum: (s) => /^[A-Za-z0-9]+$/.test(s),
  isupper: (s) => /[A-Z]/.test(s) && s === s.toUpperCase(),
  islower: (s) => /[a-z]/.test(s) && s === s.toLowerCase(),
  isspace: (s) => /^\s+$/.test(s),
  zfill: (s, width) => s.padStart(Number(width), '0'),
  ljust: (s, width, fill) => s.padEnd(Number(width), fill === undefined ? ' ' : String(fill)),
  rjust: (s, width, fill) => s.padStart(Number(width), fill === undefined ? ' ' : String(fill)),
  center: (s, width) => {
    const w = Number(width);
    const left = Math.floor((w - s.length) / 2);
    return s.padStart(s.length + Math.max(0, left)).padEnd(w);
  },
  partition: (s, sep) => {
    const i = s.indexOf(String(sep));
    return i < 0 ? [s, '', ''] : [s.slice(0, i), String(sep), s.slice(i + String(sep).length)];
  },
  removeprefix: (s, p) => (s.startsWith(String(p)) ? s.slice(String(p).length) : s),
  removesuffix: (s, p) => (String(p) && s.endsWith(String(p)) ? s.slice(0, -String(p).length) : s),
  encode: (s) => s,
  __str__: (s) => s,
};

/** Python's list methods. */
export const LIST_METHODS: Readonly<Record<string, (l: unknown[], ...a: unknown[]) => unknown>> = {
  append: (l, x) => {
    l.push(x);
    return null;
  },
  extend: (l, xs) => {
    l.push(...pyIter(xs));
    return null;
  },
  insert: (l, i, x) => {
    l.splice(index(l.length, Number(i)), 0, x);
    return null;
  },
  pop: (l, i) => {
    if (!l.length) throw new PyError('IndexError', 'pop from empty list');
    if (i === undefined) return l.pop();
    return l.splice(index(l.length, Number(i)), 1)[0];
  },
  remove: (l, x) => {
    const at = l.findIndex((y) => pyEq(y, x));
    if (at < 0) throw new PyError('ValueError', 'list.remove(x): x not in list');
    l.splice(at, 1);
    return null;
  },
  index: (l, x) => {
    const at = l.findIndex((y) => pyEq(y, x));
    if (at < 0) throw new PyError('ValueError', `${pyRepr(x)} is not in list`);
    return at;
  },
  count: (l, x) => l.filter((y) => pyEq(y, x)).length,
  reverse: (l) => {
    l.reverse();
    return null;
  },
  sort: (l, ...raw) => {
    const { kwargs } = splitArgs(raw);
    l.sort(pyCompare);
    if (kwargs.reverse) l.reverse();
    return null;
  },
  copy: (l) => [...l],
  clear: (l) => {
    l.length = 0;
    return null;
  },
};

/** Python's dict methods. */
export const DICT_METHODS: Readonly<Record<string, (d: Record<string, unknown>, ...a: unknown[]) => unknown>> = {
  items: (d) => Object.entries(d).map((e) => PyTuple.from_(e)),
  keys: (d) => Object.keys(d),
  values: (d) => Object.values(d),
  get: (d, key, fallback) => (Object.hasOwn(d, String(key)) ? d[String(key)] : (fallback ?? null)),
  update: (d, ...raw) => {
    const { args, kwargs } = splitArgs(raw);
    for (const other of args) {
      if (isPlainObject(other)) Object.assign(d, other);
      else for (const [k, v] of pyIter(other) as Array<[string, unknown]>) d[String(k)] = v;
    }
    Object.assign(d, kwargs);
    return null;
  },
  pop: (d, key, fallback) => {
    const k = String(key);
    if (Object.hasOwn(d, k)) {
      const v = d[k];
      delete d[k];
      return v;
    }
    if (fallback === undefined) throw new PyError('KeyError', pyRepr(key));
    return fallback;
  },
  setdefault: (d, key, fallback) => {
    const k = String(key);
    if (!Object.hasOwn(d, k)) d[k] = fallback ?? null;
    return d[k];
  },
  copy: (d) => ({ ...d }),
  has_key: (d, key) => Object.hasOwn(d, String(key)),
  clear: (d) => {
    for (const k of Object.keys(d)) delete d[k];
    return null;
  },
  iteritems: (d) => Object.entries(d).map((e) => PyTuple.from_(e)),
  iterkeys: (d) => Object.keys(d),
  itervalues: (d) => Object.values(d),
};

/** Python's ordering for sort(): numbers and strings in their natural order, None first. */
export function pyCompare(a: unknown, b: unknown): number {
  if (a === b) return 0;
  if (a === null || a === undefined) return -1;
  if (b === null || b === undefined) return 1;
  if (typeof a === 'number' && typeof b === 'number') return a - b;
  if (Array.isArray(a) && Array.isArray(b)) {
    for (let i = 0; i < Math.min(a.length, b.length); i++) {
      const c = pyCompare(a[i], b[i]);
      if (c) return c;
    }
    return a.length - b.length;
  }
  const x = pyStr(a);
  const y = pyStr(b);
  return x < y ? -1 : x > y ? 1 : 0;
}

/**
 * Attribute and item lookup as Jinja2 does it (`obj.attr`, `obj['key']`): Python's methods on strings,
 * lists and dicts, negative indexes, then the object's own members.
 */
export function pyMember(obj: unknown, key: unknown): unknown {
  if (obj === undefined || obj === null) return undefined;
  if (typeof obj === 'string' || obj instanceof String) {
    if (typeof key === 'string' && Object.hasOwn(STR_METHODS, key)) {
      const s = obj.toString();
      // A relation or SafeString keeps its own members (relation.identifier); a str method otherwise.
      if (typeof obj === 'string' || !(key in obj)) return (...a: unknown[]) => STR_METHODS[key]!(s, ...a);
    }
    if (typeof key === 'number') return pyGetItem(obj, key);
  }
  if (Array.isArray(obj)) {
    if (typeof key === 'number') return pyGetItem(obj, key);
    if (typeof key === 'string' && Object.hasOwn(LIST_METHODS, key)) return (...a: unknown[]) => (LIST_METHODS[key] as Method)(obj as never, ...a);
    return undefined;
  }
  if (isPlainObject(obj)) {
    const k = String(key);
    if (Object.hasOwn(obj, k)) {
      const value = obj[k];
      return value;
    }
    if (Object.hasOwn(DICT_METHODS, k)) return (...a: unknown[]) => (DICT_METHODS[k] as Method)(obj as never, ...a);
    return undefined;
  }
  if (typeof obj === 'object' || typeof obj === 'function') {
    const target = obj as Record<string | number, unknown> & PyObject;
    if ((typeof key === 'string' || typeof key === 'number') && key in target) {
      const value = target[key];
      if (typeof value === 'function' && typeof obj === 'object') return (value as (...a: unknown[]) => unknown).bind(obj);
      return value;
    }
    if (typeof target.pyGetItem === 'function') return target.pyGetItem(key);
  }
  return undefined;
}
