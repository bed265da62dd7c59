import nunjucks from 'nunjucks';
import { parse as parseYaml, stringify as stringifyYaml } from 'yaml';
import { literalEval } from './literal-eval';
import { PyError, STR_METHODS, isPlainObject, pyCompare, pyEq, pyIn, pyIter, pyLen, pyMember, pyRepr, pyStr, pyTruthy, splitArgs, strFormat, percentFormat } from './python';
import { DbtColumn } from './column';
import { Relation } from '../parse/relation';

/**
 * Jinja2's filters and tests as Python defines them, replacing nunjucks' where they differ (keyword arguments,
 * Python's truth, `map(attribute=...)`), plus dbt's own filters (`as_bool`, `as_number`, `as_text`, `as_native`).
 */

type Filter = (value: unknown, ...args: unknown[]) => unknown;

function attribute(item: unknown, path: unknown): unknown {
  let value = item;
  for (const part of String(path).split('.')) value = pyMember(value, /^\d+$/.test(part) ? Number(part) : part);
  return value;
}

function keyOf(kwargs: Record<string, unknown>, args: unknown[], i: number, name: string): unknown {
  return kwargs[name] ?? args[i];
}

function sorted(items: unknown[], reverse: boolean, caseSensitive: boolean, attr: unknown): unknown[] {
  const key = (v: unknown) => {
    const k = attr === undefined || attr === null ? v : attribute(v, attr);
    return typeof k === 'string' && !caseSensitive ? k.toLowerCase() : k;
  };
  const out = [...items].sort((a, b) => pyCompare(key(a), key(b)));
  return reverse ? out.reverse() : out;
}

export function installFilters(env: nunjucks.Environment, tests: Record<string, (value: unknown, ...args: unknown[]) => boolean>): void {
  const call = (name: string): Filter => (env as unknown as { getFilter(n: string): Filter }).getFilter(name);
  const select = (items: unknown, raw: unknown[], keep: boolean, byAttribute: boolean): unknown[] => {
    const { args } = splitArgs(raw);
    return pyIter(items).filter((item) => {
      const value = byAttribute ? attribute(item, args[0]) : item;
      const testName = byAttribute ? args[1] : args[0];
      const testArgs = byAttribute ? args.slice(2) : args.slice(1);
      const passed = testName === undefined ? pyTruthy(value) : runTest(String(testName), value, testArgs);
      return passed === keep;
    });
  };
  const runTest = (name: string, value: unknown, args: unknown[]): boolean => {
    const test = tests[name];
    if (!test) throw new PyError('ValueError', `no test named '${name}'`);
    return test(value, ...args);
  };

  const filters: Record<string, Filter> = {
    abs: (v) => Math.abs(Number(v)),
    attr: (v, name) => pyMember(v, name),
    batch: (v, size, fill) => {
      const items = pyIter(v);
      const out: unknown[][] = [];
      for (let i = 0; i < items.length; i += Number(size)) out.push(items.slice(i, i + Number(size)));
      if (fill !== undefined && out.length && out[out.length - 1]!.length < Number(size)) while (out[out.length - 1]!.length < Number(size)) out[out.length - 1]!.push(fill);
      return out;
    },
    capitalize: (v) => STR_METHODS.capitalize!(pyStr(v)),
    center: (v, width) => STR_METHODS.center!(pyStr(v), width ?? 80),
    count: (v) => pyLen(v),
    default: (v, ...raw) => {
      const { args, kwargs } = splitArgs(raw);
      // Jinja2's default is an empty string; a fallback given is returned as it is: none stays none, and an
      // undefined one stays undefined, so a second `| default(...)` of a chain still applies.
      const given = 'default_value' in kwargs || args.length > 0;
      const fallback = given ? ('default_value' in kwargs ? kwargs.default_value : args[0]) : '';
      const boolean = pyTruthy(keyOf(kwargs, args, 1, 'boolean'));
      return v === undefined || (boolean && !pyTruthy(v)) ? fallback : v;
    },
    dictsort: (v, ...raw) => {
      const { args, kwargs } = splitArgs(raw);
      const byValue = keyOf(kwargs, args, 1, 'by') === 'value';
      const entries = Object.entries(v as Record<string, unknown>);
      const out = entries.sort((a, b) => pyCompare(byValue ? a[1] : a[0].toLowerCase(), byValue ? b[1] : b[0].toLowerCase()));
      return pyTruthy(keyOf(kwargs, args, 2, 'reverse')) ? out.reverse() : out;
    },
    escape: (v) => pyStr(v).replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&#34;').replace(/'/g, '&#39;'),
    first: (v) => pyIter(v)[0],
    float: (v, fallback) => {
      const n = Number(pyStr(v));
      return Number.isNaN(n) ? (fallback ?? 0) : n;
    },
    format: (v, ...raw) => {
      const { args, kwargs } = splitArgs(raw);
      return Object.keys(kwargs).length ? percentFormat(pyStr(v), kwargs) : percentFormat(pyStr(v), args);
    },
    indent: (v, ...raw) => {
      const { args, kwargs } = splitArgs(raw);
      const width = keyOf(kwargs, args, 0, 'width') ?? 4;
      const pad = typeof width === 'string' ? width : ' '.repeat(Number(width));
      const first = pyTruthy(keyOf(kwargs, args, 1, 'first'));
      const blank = pyTruthy(keyOf(kwargs, args, 2, 'blank'));
      return pyStr(v).split('\n').map((line, i) => ((i === 0 && !first) || (!blank && line.trim() === '') ? line : pad + line)).join('\n');
    },
    int: (v, ...raw) => {
      const { args, kwargs } = splitArgs(raw);
      const fallback = keyOf(kwargs, args, 0, 'default') ?? 0;
      const base = Number(keyOf(kwargs, args, 1, 'base') ?? 10);
      if (typeof v === 'number') return Math.trunc(v);
      if (typeof v === 'boolean') return v ? 1 : 0;
      const text = pyStr(v).trim();
      const n = base === 10 ? Number(text) : parseInt(text, base);
      return Number.isNaN(n) ? fallback : Math.trunc(n);
    },
    items: (v) => (isPlainObject(v) ? Object.entries(v) : pyIter(v)),
    join: (v, ...raw) => {
      const { args, kwargs } = splitArgs(raw);
      const sep = pyStr(keyOf(kwargs, args, 0, 'd') ?? '');
      const attr = keyOf(kwargs, args, 1, 'attribute');
      return pyIter(v).map((item) => pyStr(attr === undefined || attr === null ? item : attribute(item, attr))).join(sep);
    },
    last: (v) => {
      const items = pyIter(v);
      return items[items.length - 1];
    },
    length: (v) => pyLen(v),
    list: (v) => [...pyIter(v)],
    lower: (v) => pyStr(v).toLowerCase(),
    map: (v, ...raw) => {
      const { args, kwargs } = splitArgs(raw);
      const items = pyIter(v);
      if (kwargs.attribute !== undefined) {
        return items.map((item) => {
          const value = attribute(item, kwargs.attribute);
          return value === undefined && kwargs.default !== undefined ? kwargs.default : value;
        });
      }
      const filter = call(String(args[0]));
      return items.map((item) => filter(item, ...args.slice(1), ...(Object.keys(kwargs).length ? [{ ...kwargs, __keywords: true }] : [])));
    },
    max: (v, ...raw) => {
      const { kwargs } = splitArgs(raw);
      return sorted(pyIter(v), true, pyTruthy(kwargs.case_sensitive), kwargs.attribute)[0];
    },
    min: (v, ...raw) => {
      const { kwargs } = splitArgs(raw);
      return sorted(pyIter(v), false, pyTruthy(kwargs.case_sensitive), kwargs.attribute)[0];
    },
    pprint: (v) => pyRepr(v),
    reject: (v, ...raw) => select(v, raw, false, false),
    rejectattr: (v, ...raw) => select(v, raw, false, true),
    replace: (v, old, value, count) => STR_METHODS.replace!(pyStr(v), pyStr(old), pyStr(value), count),
    reverse: (v) => (typeof v === 'string' ? [...v].reverse().join('') : [...pyIter(v)].reverse()),
    round: (v, ...raw) => {
      const { args, kwargs } = splitArgs(raw);
      const precision = Number(keyOf(kwargs, args, 0, 'precision') ?? 0);
      const method = String(keyOf(kwargs, args, 1, 'method') ?? 'common');
      const f = 10 ** precision;
      const n = Number(v) * f;
      const r = method === 'ceil' ? Math.ceil(n) : method === 'floor' ? Math.floor(n) : Math.round(n);
      return r / f;
    },
    safe: (v) => v,
    select: (v, ...raw) => select(v, raw, true, false),
    selectattr: (v, ...raw) => select(v, raw, true, true),
    slice: (v, slices) => {
      const items = pyIter(v);
      const n = Number(slices);
      const size = Math.ceil(items.length / n);
      return Array.from({ length: n }, (_, i) => items.slice(i * size, (i + 1) * size));
    },
    sort: (v, ...raw) => {
      const { args, kwargs } = splitArgs(raw);
      return sorted(pyIter(v), pyTruthy(keyOf(kwargs, args, 0, 'reverse')), pyTruthy(keyOf(kwargs, args, 1, 'case_sensitive')), keyOf(kwargs, args, 2, 'attribute'));
    },
    string: (v) => pyStr(v),
    striptags: (v) => pyStr(v).replace(/<[^>]*>/g, '').replace(/\s+/g, ' ').trim(),
    sum: (v, ...raw) => {
      const { args, kwargs } = splitArgs(raw);
      const attr = keyOf(kwargs, args, 0, 'attribute');
      const start = Number(keyOf(kwargs, args, 1, 'start') ?? 0);
      return pyIter(v).reduce<number>((acc, item) => acc + Number(attr === undefined || attr === null ? item : attribute(item, attr)), start);
    },
    title: (v) => STR_METHODS.title!(pyStr(v)),
    tojson: (v, indent) => JSON.stringify(toPlain(v), null, indent === undefined ? undefined : Number(indent)),
    trim: (v, chars) => {
      const s = pyStr(v);
      if (chars === undefined || chars === null) return s.trim();
      const set = `[${String(chars).replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}]+`;
      return s.replace(new RegExp(`^${set}|${set}$`, 'g'), '');
    },
    truncate: (v, length, killwords, end) => {
      const s = pyStr(v);
      const n = Number(length ?? 255);
      if (s.length <= n) return s;
      const tail = end === undefined ? '...' : pyStr(end);
      return pyTruthy(killwords) ? s.slice(0, n - tail.length) + tail : s.slice(0, n - tail.length).replace(/\s+\S*$/, '') + tail;
    },
    unique: (v, ...raw) => {
      const { kwargs } = splitArgs(raw);
      const out: unknown[] = [];
      const keys: unknown[] = [];
      for (const item of pyIter(v)) {
        let key = kwargs.attribute === undefined ? item : attribute(item, kwargs.attribute);
        if (typeof key === 'string' && !pyTruthy(kwargs.case_sensitive)) key = key.toLowerCase();
        if (!keys.some((k) => pyEq(k, key))) {
          keys.push(key);
          out.push(item);
        }
      }
      return out;
    },
    upper: (v) => pyStr(v).toUpperCase(),
    wordcount: (v) => pyStr(v).split(/\s+/).filter(Boolean).length,
    urlencode: (v) => encodeURIComponent(pyStr(v)),
    // dbt's filters: in text rendering they hand the value on; native rendering reads the text back as a literal.
    as_bool: (v) => (typeof v === 'string' ? literalEval(v) : v),
    as_number: (v) => (typeof v === 'string' ? literalEval(v) : v),
    as_native: (v) => (typeof v === 'string' ? literalEval(v) : v),
    as_text: (v) => pyStr(v),
    is_list: (v) => Array.isArray(v),
    fromjson: (v) => JSON.parse(pyStr(v)),
    toyaml: (v) => stringifyYaml(toPlain(v)),
    fromyaml: (v) => parseYaml(pyStr(v)),
  };
  filters.d = filters.default!;
  filters.e = filters.escape!;
  for (const [name, fn] of Object.entries(filters)) env.addFilter(name, fn);
  for (const [name, fn] of Object.entries(tests)) (env as unknown as { addTest(n: string, t: unknown): void }).addTest(name, fn);
}

/** Values as JSON sees them: relations as their names, Python objects as their text. */
export function toPlain(value: unknown): unknown {
  if (value === undefined) return null;
  if (Array.isArray(value)) return value.map(toPlain);
  if (isPlainObject(value)) return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, toPlain(v)]));
  if (value instanceof Relation || value instanceof DbtColumn) return pyStr(value);
  if (value && typeof value === 'object' && !(value instanceof String)) return pyStr(value);
  if (value instanceof String) return value.toString();
  return value;
}

/** Jinja2's tests (`is none`, `is string`, `is mapping`, ...), with Python's notion of each type. */
export function jinjaTests(isMacro: (value: unknown) => boolean): Record<string, (value: unknown, ...args: unknown[]) => boolean> {
  const isString = (v: unknown) => typeof v === 'string' || v instanceof String;
  const isNumber = (v: unknown) => (typeof v === 'number' || typeof v === 'bigint');
  const tests: Record<string, (value: unknown, ...args: unknown[]) => boolean> = {
    boolean: (v) => typeof v === 'boolean',
    callable: (v) => typeof v === 'function',
    defined: (v) => v !== undefined,
    divisibleby: (v, n) => Number(v) % Number(n) === 0,
    eq: (v, other) => pyEq(v, other),
    equalto: (v, other) => pyEq(v, other),
    escaped: () => false,
    even: (v) => Number(v) % 2 === 0,
    false: (v) => v === false,
    filter: () => false,
    float: (v) => typeof v === 'number' && !Number.isInteger(v),
    ge: (v, o) => pyCompare(v, o) >= 0,
    gt: (v, o) => pyCompare(v, o) > 0,
    greaterthan: (v, o) => pyCompare(v, o) > 0,
    in: (v, container) => pyIn(v, container),
    integer: (v) => (typeof v === 'number' && Number.isInteger(v)) || typeof v === 'bigint',
    iterable: (v) => Array.isArray(v) || isString(v) || isPlainObject(v) || (typeof v === 'object' && v !== null && (typeof (v as { pyIter?: unknown }).pyIter === 'function' || Symbol.iterator in v)),
    le: (v, o) => pyCompare(v, o) <= 0,
    lower: (v) => isString(v) && pyStr(v) === pyStr(v).toLowerCase(),
    lt: (v, o) => pyCompare(v, o) < 0,
    lessthan: (v, o) => pyCompare(v, o) < 0,
    macro: (v) => isMacro(v),
    mapping: (v) => isPlainObject(v) || v instanceof Relation,
    ne: (v, o) => !pyEq(v, o),
    none: (v) => v === null,
    number: (v) => isNumber(v),
    odd: (v) => Math.abs(Number(v) % 2) === 1,
    sameas: (v, o) => v === o,
    sequence: (v) => Array.isArray(v) || isString(v) || isPlainObject(v) || (typeof v === 'object' && v !== null && typeof (v as { pyLen?: unknown }).pyLen === 'function'),
    string: (v) => isString(v),
    true: (v) => v === true,
    undefined: (v) => v === undefined,
    upper: (v) => isString(v) && pyStr(v) === pyStr(v).toUpperCase(),
  };
  tests['=='] = tests.eq!;
  tests['!='] = tests.ne!;
  tests['>'] = tests.gt!;
  tests['<'] = tests.lt!;
  return tests;
}

export { strFormat };
