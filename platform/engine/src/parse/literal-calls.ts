/**
 * Most model files use Jinja only for `{{ ref('x') }}`, `{{ source('a','b') }}`, `{{ config(...) }}` and
 * `{{ var('x') }}` with literal arguments. Compiling those through nunjucks costs about half a millisecond
 * each, which alone would blow a 10,000-model compile budget. This module recognises such templates and
 * turns them into a list of text pieces and calls, evaluated with the very same context functions;
 * anything else (blocks, filters, expressions, macros) returns undefined and goes to nunjucks.
 */

export type Literal = string | number | boolean | null | Literal[];

export interface LiteralCall {
  fn: string;
  args: Literal[];
  kwargs: Record<string, Literal>;
}

export type Piece = string | LiteralCall | { name: string };

const TOKEN = /\s*(?:'((?:[^'\\]|\\.)*)'|"((?:[^"\\]|\\.)*)"|(-?\d+(?:\.\d+)?)|([A-Za-z_][A-Za-z0-9_]*)|(.))/y;

interface Tok {
  kind: 'str' | 'num' | 'ident' | 'punct';
  value: string;
}

function tokenize(expr: string): Tok[] | undefined {
  const out: Tok[] = [];
  TOKEN.lastIndex = 0;
  while (TOKEN.lastIndex < expr.length) {
    const m = TOKEN.exec(expr);
    if (!m) {
      if (/^\s*$/.test(expr.slice(TOKEN.lastIndex))) break;
      return undefined;
    }
    if (m[1] !== undefined) out.push({ kind: 'str', value: unescape(m[1]) });
    else if (m[2] !== undefined) out.push({ kind: 'str', value: unescape(m[2]) });
    else if (m[3] !== undefined) out.push({ kind: 'num', value: m[3] });
    else if (m[4] !== undefined) out.push({ kind: 'ident', value: m[4] });
    else if (m[5] !== undefined) out.push({ kind: 'punct', value: m[5] });
  }
  return out;
}

function unescape(s: string): string {
  return s.replace(/\\(.)/g, (_, c: string) => (c === 'n' ? '\n' : c === 't' ? '\t' : c));
}

class Reader {
  i = 0;
  constructor(readonly toks: Tok[]) {}
  peek(): Tok | undefined {
    return this.toks[this.i];
  }
  take(): Tok | undefined {
    return this.toks[this.i++];
  }
  punct(p: string): boolean {
    const t = this.peek();
    if (t?.kind === 'punct' && t.value === p) {
      this.i++;
      return true;
    }
    return false;
  }
}

function literal(r: Reader): Literal | undefined {
  const t = r.take();
  if (!t) return undefined;
  if (t.kind === 'str') return t.value;
  if (t.kind === 'num') return Number(t.value);
  if (t.kind === 'ident') {
    if (t.value === 'true' || t.value === 'True') return true;
    if (t.value === 'false' || t.value === 'False') return false;
    if (t.value === 'none' || t.value === 'None') return null;
    return undefined;
  }
  if (t.value === '[') {
    const items: Literal[] = [];
    if (r.punct(']')) return items;
    for (;;) {
      const v = literal(r);
      if (v === undefined) return undefined;
      items.push(v);
      if (r.punct(']')) return items;
      if (!r.punct(',')) return undefined;
    }
  }
  return undefined;
}

function parseExpression(expr: string, fns: ReadonlySet<string>, names: ReadonlySet<string>): Piece | undefined {
  const toks = tokenize(expr);
  if (!toks || toks.length === 0) return undefined;
  const r = new Reader(toks);
  const head = r.take()!;
  if (head.kind !== 'ident') return undefined;
  if (toks.length === 1) return names.has(head.value) ? { name: head.value } : undefined;
  if (!fns.has(head.value) || !r.punct('(')) return undefined;
  const call: LiteralCall = { fn: head.value, args: [], kwargs: {} };
  if (!r.punct(')')) {
    for (;;) {
      const t = r.peek();
      const next = r.toks[r.i + 1];
      if (t?.kind === 'ident' && next?.kind === 'punct' && next.value === '=') {
        r.i += 2;
        const v = literal(r);
        if (v === undefined) return undefined;
        call.kwargs[t.value] = v;
      } else {
        if (Object.keys(call.kwargs).length) return undefined;
        const v = literal(r);
        if (v === undefined) return undefined;
        call.args.push(v);
      }
      if (r.punct(')')) break;
      if (!r.punct(',')) return undefined;
    }
  }
  return r.i === toks.length ? call : undefined;
}

/**
 * Splits a template into text and literal calls, or returns undefined when it needs real Jinja.
 * `fns` are the context functions allowed; `names` the bare variables (`this`).
 */
export function parseLiteralTemplate(
  source: string,
  fns: ReadonlySet<string>,
  names: ReadonlySet<string>,
): Piece[] | undefined {
  if (source.includes('{%') || source.includes('{#')) return undefined;
  const pieces: Piece[] = [];
  let pos = 0;
  for (;;) {
    const open = source.indexOf('{{', pos);
    if (open < 0) break;
    const close = source.indexOf('}}', open + 2);
    if (close < 0) return undefined;
    let inner = source.slice(open + 2, close);
    // Whitespace control markers would trim the surrounding text; leave those to nunjucks.
    if (inner.startsWith('-') || inner.endsWith('-')) return undefined;
    inner = inner.trim();
    const piece = parseExpression(inner, fns, names);
    if (!piece) return undefined;
    if (open > pos) pieces.push(source.slice(pos, open));
    pieces.push(piece);
    pos = close + 2;
  }
  if (pos < source.length) pieces.push(source.slice(pos));
  return pieces;
}
