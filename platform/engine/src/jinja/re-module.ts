import { PyError, pyStr, splitArgs } from './python';

/**
 * Python's `re` module for `modules.re` (dbt_utils.slugify, dbt_expectations' regex tests): patterns in
 * Python's syntax are translated to JavaScript's (`(?P<name>...)`, leading `(?i)`), replacements too (`\1`).
 */

const FLAGS = { IGNORECASE: 2, I: 2, MULTILINE: 8, M: 8, DOTALL: 16, S: 16, VERBOSE: 64, X: 64, ASCII: 256, A: 256 };

function translate(pattern: string, flags: number, global: boolean): RegExp {
  let source = pattern;
  let extra = '';
  // Python takes flag groups at the start, one or several: `(?i)(?s)` as `(?is)`.
  for (let inline = /^\(\?([aiLmsux]+)\)/.exec(source); inline; inline = /^\(\?([aiLmsux]+)\)/.exec(source)) {
    source = source.slice(inline[0].length);
    for (const flag of ['i', 'm', 's']) if (inline[1]!.includes(flag) && !extra.includes(flag)) extra += flag;
  }
  source = source.replace(/\(\?P<([A-Za-z_]\w*)>/g, '(?<$1>').replace(/\(\?P=([A-Za-z_]\w*)\)/g, '\\k<$1>').replace(/\\A/g, '^').replace(/\\Z/g, '$');
  if (flags & FLAGS.VERBOSE) source = source.replace(/\\#/g, '\u0000').replace(/#.*$/gm, '').replace(/\s+/g, '').replace(/\u0000/g, '\\#');
  let js = extra;
  if (flags & FLAGS.IGNORECASE && !js.includes('i')) js += 'i';
  if (flags & FLAGS.MULTILINE && !js.includes('m')) js += 'm';
  if (flags & FLAGS.DOTALL && !js.includes('s')) js += 's';
  if (global) js += 'g';
  return new RegExp(source, js);
}

function replacement(repl: string): string {
  return repl.replace(/\$/g, '$$$$').replace(/\\g<(\w+)>/g, (_, n: string) => (/^\d+$/.test(n) ? `$${n}` : `$<${n}>`)).replace(/\\(\d+)/g, '$$$1').replace(/\\n/g, '\n').replace(/\\t/g, '\t').replace(/\\\\/g, '\\');
}

class Match {
  constructor(private readonly m: RegExpExecArray) {}
  group(...which: unknown[]): unknown {
    if (!which.length) return this.m[0];
    const pick = (w: unknown) => (typeof w === 'number' ? this.m[w] : this.m.groups?.[String(w)]) ?? null;
    return which.length === 1 ? pick(which[0]) : which.map(pick);
  }
  groups(): unknown[] {
    return this.m.slice(1).map((g) => g ?? null);
  }
  groupdict(): Record<string, unknown> {
    return { ...(this.m.groups ?? {}) };
  }
  start(): number {
    return this.m.index;
  }
  end(): number {
    return this.m.index + this.m[0].length;
  }
  span(): [number, number] {
    return [this.start(), this.end()];
  }
  pyStr(): string {
    return `<re.Match object; match='${this.m[0]}'>`;
  }
}

function compile(pattern: unknown, flags: unknown = 0) {
  const text = pyStr(pattern);
  const f = Number(flags ?? 0);
  let regex: RegExp;
  try {
    regex = translate(text, f, false);
  } catch (error) {
    throw new PyError('ValueError', `bad regular expression '${text}': ${(error as Error).message}`);
  }
  const anchored = (s: string, mode: 'match' | 'full') => {
    const r = translate(mode === 'match' ? `^(?:${text})` : `^(?:${text})$`, f, false);
    const m = r.exec(s);
    return m ? new Match(m) : null;
  };
  return {
    pattern: text,
    flags: f,
    search: (s: unknown) => {
      const m = regex.exec(pyStr(s));
      return m ? new Match(m) : null;
    },
    match: (s: unknown) => anchored(pyStr(s), 'match'),
    fullmatch: (s: unknown) => anchored(pyStr(s), 'full'),
    findall: (s: unknown) => [...pyStr(s).matchAll(translate(text, f, true))].map((m) => (m.length > 2 ? m.slice(1) : (m[1] ?? m[0]))),
    finditer: (s: unknown) => [...pyStr(s).matchAll(translate(text, f, true))].map((m) => new Match(m as RegExpExecArray)),
    split: (s: unknown, maxsplit?: unknown) => {
      const parts = pyStr(s).split(translate(text, f, true));
      const limit = Number(maxsplit ?? 0);
      return limit > 0 && parts.length > limit + 1 ? [...parts.slice(0, limit), parts.slice(limit).join('')] : parts;
    },
    sub: (repl: unknown, s: unknown, count?: unknown) => {
      const n = Number(count ?? 0);
      const target = pyStr(s);
      if (typeof repl === 'function') {
        let done = 0;
        return target.replace(translate(text, f, true), (...m: unknown[]) => {
          if (n && done >= n) return String(m[0]);
          done++;
          return pyStr((repl as (x: unknown) => unknown)(new Match(Object.assign([...(m.slice(0, -2) as string[])], { index: m[m.length - 2] as number, input: target }) as unknown as RegExpExecArray)));
        });
      }
      if (!n) return target.replace(translate(text, f, true), replacement(pyStr(repl)));
      let out = target;
      const single = translate(text, f, false);
      for (let i = 0; i < n; i++) {
        if (!single.test(out)) break;
        out = out.replace(single, replacement(pyStr(repl)));
      }
      return out;
    },
  };
}

export const reModule: Record<string, unknown> = {
  ...FLAGS,
  compile,
  search: (pattern: unknown, s: unknown, flags?: unknown) => compile(pattern, flags).search(s),
  match: (pattern: unknown, s: unknown, flags?: unknown) => compile(pattern, flags).match(s),
  fullmatch: (pattern: unknown, s: unknown, flags?: unknown) => compile(pattern, flags).fullmatch(s),
  findall: (pattern: unknown, s: unknown, flags?: unknown) => compile(pattern, flags).findall(s),
  finditer: (pattern: unknown, s: unknown, flags?: unknown) => compile(pattern, flags).finditer(s),
  split: (pattern: unknown, s: unknown, maxsplit?: unknown, flags?: unknown) => compile(pattern, flags).split(s, maxsplit),
  sub: (...raw: unknown[]) => {
    const { args, kwargs } = splitArgs(raw);
    return compile(args[0], kwargs.flags ?? args[4]).sub(args[1], args[2], kwargs.count ?? args[3]);
  },
  escape: (s: unknown) => pyStr(s).replace(/[.*+?^${}()|[\]\\\-#&~\s]/g, '\\$&'),
};
