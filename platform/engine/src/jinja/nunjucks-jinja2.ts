import nunjucks from 'nunjucks';

/**
 * Teaches nunjucks' lexer, parser and compiler the Jinja2 that dbt projects and packages write and nunjucks
 * does not read the same way: trailing commas in calls, lists and dicts; nested braces inside a tag
 * (`{{ f({'a': {'b': 1}}) }}`); tuples; `{% set ns.x = ... %}` and `{% set a, b = ... %}`; `{% for ... if ... %}`;
 * `{% break %}` and `{% continue %}`; `True`/`False`/`None`; Python's truth (an empty list is false), equality,
 * `+`, `*`, `%` and `~`; slices; Jinja2's scoping (a `set` inside a loop does not leak out of it). The
 * generated code calls the `py*` functions of the runtime the environment passes to every template.
 *
 * The patches are applied once, to nunjucks' prototypes: the engine is nunjucks' only user in the process.
 */

type Node = { typename: string; lineno: number; colno: number; [field: string]: unknown };
interface NodeClass {
  new (lineno: number, colno: number, ...fields: unknown[]): Node;
  extend(name: string, props?: object): NodeClass;
}
interface Tok {
  type: string;
  value: string;
  lineno: number;
  colno: number;
}
interface Tokenizer {
  nextToken(): Tok | null;
  forward(): void;
  current(): string;
  isFinished(): boolean;
  _parseString(delimiter: string): string;
  str: string;
  index: number;
  lineno: number;
  colno: number;
  in_code: boolean;
  __depth?: number;
}
interface Parser {
  tokens: { in_code: boolean };
  peekToken(): Tok;
  nextToken(withWhitespace?: boolean): Tok;
  pushToken(tok: Tok): void;
  skip(type: string): boolean;
  skipValue(type: string, value: string): boolean;
  skipSymbol(value: string): boolean;
  fail(message: string, lineno?: number, colno?: number): never;
  expect(type: string): Tok;
  parseExpression(): Node;
  parseInlineIf(): Node;
  parseOr(): Node;
  parsePrimary(noPostfix?: boolean): Node;
  parsePostfix(node: Node): Node;
  parseSignature(tolerant?: boolean, noParens?: boolean): Node | null;
  parseAggregate(): Node | null;
  parseUntilBlocks(...names: string[]): Node;
  advanceAfterBlockEnd(name?: string): Tok;
  parseStatement(): Node | null;
}
interface CompileFrame {
  lookup(name: string): string | undefined;
  set(name: string, value: string): void;
  variables: Record<string, string>;
  push(isolate?: boolean): CompileFrame;
}
interface Compiler {
  compile(node: unknown, frame: CompileFrame): void;
  _compileExpression(node: unknown, frame: CompileFrame): void;
  _emit(code: string): void;
  _emitLine(code: string): void;
  _tmpid(): string;
  _withScopedSyntax(fn: () => void): void;
  _compileAggregate(node: Node, frame: CompileFrame, start?: string, end?: string): void;
  fail(message: string, lineno?: number, colno?: number): never;
  buffer: string;
}

const nj = nunjucks as unknown as {
  lexer: Record<string, string> & { lex(src: string, opts?: object): Tokenizer };
  parser: { Parser: { prototype: Parser } };
  compiler: { Compiler: { prototype: Compiler & Record<string, unknown> } };
  nodes: Record<string, NodeClass>;
};
const { lexer, nodes } = nj;
const P = nj.parser.Parser.prototype as Parser & Record<string, unknown>;
const C = nj.compiler.Compiler.prototype;

const T = {
  LEFT_PAREN: lexer.TOKEN_LEFT_PAREN!,
  RIGHT_PAREN: lexer.TOKEN_RIGHT_PAREN!,
  LEFT_BRACKET: lexer.TOKEN_LEFT_BRACKET!,
  RIGHT_BRACKET: lexer.TOKEN_RIGHT_BRACKET!,
  LEFT_CURLY: lexer.TOKEN_LEFT_CURLY!,
  RIGHT_CURLY: lexer.TOKEN_RIGHT_CURLY!,
  COMMA: lexer.TOKEN_COMMA!,
  COLON: lexer.TOKEN_COLON!,
  OPERATOR: lexer.TOKEN_OPERATOR!,
  SYMBOL: lexer.TOKEN_SYMBOL!,
  STRING: lexer.TOKEN_STRING!,
  BLOCK_END: lexer.TOKEN_BLOCK_END!,
  BLOCK_START: lexer.TOKEN_BLOCK_START!,
  VARIABLE_START: lexer.TOKEN_VARIABLE_START!,
};

// Node types of our own: a slice, a tuple-unpacking or attribute `set`, and the loop controls.
const Slice = nodes.Node!.extend('PySlice', { fields: ['target', 'start', 'stop', 'step'] });
const SetAttr = nodes.Node!.extend('PySetAttr', { fields: ['target', 'attr', 'value'] });
const LoopControl = nodes.Node!.extend('PyLoopControl', { fields: ['keyword'] });
const Truth = nodes.Node!.extend('PyTruth', { fields: ['target'] });
/** `*args` and `**kwargs` in a call. */
const Splat = nodes.Node!.extend('PySplat', { fields: ['kind', 'target'] });

let installed = false;

export function installJinja2Dialect(): void {
  if (installed) return;
  installed = true;
  patchLexer();
  patchParser();
  patchCompiler();
}

/**
 * Inside `{{ }}` and `{% %}`, a `}}` closes the tag only when every `{` opened in it is closed: Jinja2's lexer
 * counts braces, nunjucks' did not (`{% do d.update({'a': {'b': 1}}) %}` ended at the first `}}`).
 */
function patchLexer(): void {
  // The Tokenizer class is not exported; its prototype is reached through an instance.
  const proto = Object.getPrototypeOf(nj.lexer.lex('')) as Tokenizer;
  /**
   * A string literal's escapes read as Python reads them (Jinja2 decodes with `unicode-escape`): `\\n`, `\\t`,
   * `\\xhh`, `\\uhhhh`... are characters, and an escape Python does not know keeps its backslash, so the
   * regular expression `'\\s+'` reaches `modules.re` as written.
   */
  proto._parseString = function parseString(this: Tokenizer, delimiter: string): string {
    const SIMPLE: Record<string, string> = { n: '\n', t: '\t', r: '\r', a: '\x07', b: '\b', f: '\f', v: '\v', '\\': '\\', "'": "'", '"': '"', '\n': '' };
    const take = (count: number, digits: RegExp): string => {
      let out = '';
      while (out.length < count && !this.isFinished() && digits.test(this.current())) {
        out += this.current();
        this.forward();
      }
      return out;
    };
    this.forward();
    let str = '';
    while (!this.isFinished() && this.current() !== delimiter) {
      const cur = this.current();
      this.forward();
      if (cur !== '\\' || this.isFinished()) {
        str += cur;
        continue;
      }
      const esc = this.current();
      if (Object.hasOwn(SIMPLE, esc)) {
        this.forward();
        str += SIMPLE[esc];
      } else if (esc === 'x' || esc === 'u' || esc === 'U') {
        this.forward();
        const want = esc === 'x' ? 2 : esc === 'u' ? 4 : 8;
        const hex = take(want, /[0-9a-fA-F]/);
        str += hex.length === want ? String.fromCodePoint(parseInt(hex, 16)) : `\\${esc}${hex}`;
      } else if (/[0-7]/.test(esc)) {
        str += String.fromCodePoint(parseInt(take(3, /[0-7]/), 8));
      } else {
        str += `\\${esc}`;
        this.forward();
      }
    }
    this.forward();
    return str;
  };
  const next = proto.nextToken;
  proto.nextToken = function nextToken(this: Tokenizer) {
    if (this.in_code && (this.__depth ?? 0) > 0 && this.str.startsWith('}}', this.index)) {
      const lineno = this.lineno;
      const colno = this.colno;
      this.forward();
      this.__depth!--;
      return { type: T.RIGHT_CURLY, value: '}', lineno, colno };
    }
    const tok = next.call(this);
    if (tok) {
      if (tok.type === T.LEFT_CURLY) this.__depth = (this.__depth ?? 0) + 1;
      else if (tok.type === T.RIGHT_CURLY) this.__depth = Math.max(0, (this.__depth ?? 0) - 1);
      else if (tok.type === T.BLOCK_START || tok.type === T.VARIABLE_START) this.__depth = 0;
    }
    return tok;
  };
}

function patchParser(): void {
  const parsePrimary = P.parsePrimary;
  /**
   * `True`, `False` and `None` are Jinja2's literals, as `true`, `false` and `none` are. Adjacent strings are
   * one string, as in Jinja2 (and Python): which is also how a Python-style `"""text"""` reads, as `""`,
   * `"text"` and `""` side by side.
   */
  P.parsePrimary = function (this: Parser, noPostfix?: boolean): Node {
    const tok = this.peekToken();
    if (tok.type === T.SYMBOL && (tok.value === 'True' || tok.value === 'False' || tok.value === 'None')) {
      this.nextToken();
      const node = new nodes.Literal!(tok.lineno, tok.colno, tok.value === 'None' ? null : tok.value === 'True');
      return noPostfix ? node : this.parsePostfix(node);
    }
    if (tok.type === T.STRING) {
      this.nextToken();
      let value = tok.value as string;
      while (this.peekToken().type === T.STRING) value += this.nextToken().value as string;
      const node = new nodes.Literal!(tok.lineno, tok.colno, value);
      return noPostfix ? node : this.parsePostfix(node);
    }
    return parsePrimary.call(this, noPostfix);
  };

  /** `a if x else b if y else c`: the else branch is itself a conditional expression, as in Jinja2. */
  P.parseInlineIf = function (this: Parser): Node {
    let node = this.parseOr();
    if (this.skipSymbol('if')) {
      const cond = this.parseOr();
      const body = node;
      node = new nodes.InlineIf!(body.lineno, body.colno) as Node;
      node.body = body;
      node.cond = cond;
      node.else_ = this.skipSymbol('else') ? this.parseInlineIf() : null;
    }
    return node;
  };

  /** Call arguments and macro parameters, with a trailing comma allowed. */
  P.parseSignature = function (this: Parser, tolerant?: boolean, noParens?: boolean): Node | null {
    let tok = this.peekToken();
    if (!noParens && tok.type !== T.LEFT_PAREN) {
      if (tolerant) return null;
      this.fail('expected arguments', tok.lineno, tok.colno);
    }
    if (tok.type === T.LEFT_PAREN) tok = this.nextToken();
    const args = new nodes.NodeList!(tok.lineno, tok.colno) as Node & { addChild(n: Node): void; children: Node[] };
    const kwargs = new nodes.KeywordArgs!(tok.lineno, tok.colno) as Node & { addChild(n: Node): void; children: Node[] };
    let first = true;
    for (;;) {
      tok = this.peekToken();
      if (!noParens && tok.type === T.RIGHT_PAREN) {
        this.nextToken();
        break;
      }
      if (noParens && tok.type === T.BLOCK_END) break;
      if (!first) {
        if (!this.skip(T.COMMA)) this.fail('expected a comma between arguments', tok.lineno, tok.colno);
        tok = this.peekToken();
        if (!noParens && tok.type === T.RIGHT_PAREN) {
          this.nextToken();
          break;
        }
      }
      const star = this.peekToken();
      if (!noParens && star.type === T.OPERATOR && (star.value === '*' || star.value === '**')) {
        this.nextToken();
        args.addChild(new Splat(star.lineno, star.colno, star.value, this.parseExpression()));
        first = false;
        continue;
      }
      const arg = this.parseExpression();
      if (this.skipValue(T.OPERATOR, '=')) kwargs.addChild(new nodes.Pair!(arg.lineno, arg.colno, arg, this.parseExpression()));
      else args.addChild(arg);
      first = false;
    }
    if (kwargs.children.length) args.addChild(kwargs);
    return args;
  };

  /** Lists, dicts and tuples, trailing commas allowed; `(a, b)` is a tuple, `(a)` a group. */
  P.parseAggregate = function (this: Parser): Node | null {
    const tok = this.nextToken();
    let node: Node & { addChild(n: Node): void; children: Node[] };
    let close: string;
    if (tok.type === T.LEFT_PAREN) {
      node = new nodes.Group!(tok.lineno, tok.colno) as typeof node;
      close = T.RIGHT_PAREN;
    } else if (tok.type === T.LEFT_BRACKET) {
      node = new nodes.Array!(tok.lineno, tok.colno) as typeof node;
      close = T.RIGHT_BRACKET;
    } else if (tok.type === T.LEFT_CURLY) {
      node = new nodes.Dict!(tok.lineno, tok.colno) as typeof node;
      close = T.RIGHT_CURLY;
    } else {
      this.pushToken(tok);
      return null;
    }
    let sawComma = false;
    for (;;) {
      if (this.skip(close)) break;
      if (node.children.length > 0) {
        if (!this.skip(T.COMMA)) this.fail(`expected a comma or '${close === T.RIGHT_PAREN ? ')' : close === T.RIGHT_BRACKET ? ']' : '}'}'`, tok.lineno, tok.colno);
        sawComma = true;
        if (this.skip(close)) break;
      }
      if (node.typename === 'Dict') {
        const key = this.parseExpression();
        if (!this.skip(T.COLON)) this.fail('expected a colon after a dict key', tok.lineno, tok.colno);
        const value = this.parseExpression();
        node.addChild(new nodes.Pair!(key.lineno, key.colno, key, value));
      } else node.addChild(this.parseExpression());
    }
    // A parenthesised list with a comma, or `()`, is a tuple: a list to the template.
    if (node.typename === 'Group' && (sawComma || node.children.length === 0)) {
      const tuple = new nodes.Array!(tok.lineno, tok.colno) as typeof node;
      for (const child of node.children) tuple.addChild(child);
      tuple.tuple = true;
      return tuple;
    }
    return node;
  };

  /** Calls, `.attr`, `[index]` and `[a:b:c]` slices after a primary. */
  P.parsePostfix = function (this: Parser, node: Node): Node {
    for (;;) {
      const tok = this.peekToken();
      if (!tok) return node;
      if (tok.type === T.LEFT_PAREN) {
        node = new nodes.FunCall!(tok.lineno, tok.colno, node, this.parseSignature());
      } else if (tok.type === T.LEFT_BRACKET) {
        this.nextToken();
        const parts: Array<Node | null> = [null, null, null];
        let part = 0;
        let slice = false;
        for (;;) {
          if (this.skip(T.RIGHT_BRACKET)) break;
          if (this.skip(T.COLON)) {
            slice = true;
            part++;
            if (part > 2) this.fail('a slice has at most three parts', tok.lineno, tok.colno);
            continue;
          }
          if (parts[part]) this.fail('expected : or ] in a subscript', tok.lineno, tok.colno);
          parts[part] = this.parseExpression();
        }
        if (slice) node = new Slice(tok.lineno, tok.colno, node, parts[0], parts[1], parts[2]);
        else {
          if (!parts[0]) this.fail('empty subscript', tok.lineno, tok.colno);
          node = new nodes.LookupVal!(tok.lineno, tok.colno, node, parts[0]);
        }
      } else if (tok.type === T.OPERATOR && tok.value === '.') {
        this.nextToken();
        const name = this.nextToken();
        let key: Node;
        if (name.type === T.SYMBOL) key = new nodes.Literal!(name.lineno, name.colno, name.value);
        else if (name.type === lexer.TOKEN_INT) key = new nodes.Literal!(name.lineno, name.colno, Number(name.value));
        else this.fail(`expected a name after '.', got ${name.value}`, name.lineno, name.colno);
        node = new nodes.LookupVal!(tok.lineno, tok.colno, node, key);
      } else return node;
    }
  };

  /** `{% set x = 1 %}`, `{% set a, b = 1, 2 %}`, `{% set ns.count = ns.count + 1 %}`, `{% set x %}...{% endset %}`. */
  P.parseSet = function (this: Parser): Node {
    const tag = this.peekToken();
    if (!this.skipSymbol('set')) this.fail('expected set', tag.lineno, tag.colno);
    const targets: Node[] = [];
    for (;;) {
      const target = this.parsePrimary();
      targets.push(target);
      if (!this.skip(T.COMMA)) break;
    }
    const single = targets[0]!;
    if (!this.skipValue(T.OPERATOR, '=')) {
      if (!this.skip(T.BLOCK_END)) this.fail('expected = or the end of the set tag', tag.lineno, tag.colno);
      const body = new nodes.Capture!(tag.lineno, tag.colno, this.parseUntilBlocks('endset'));
      this.advanceAfterBlockEnd();
      if (single.typename === 'LookupVal') return new SetAttr(tag.lineno, tag.colno, single.target, single.val, body);
      const node = new nodes.Set!(tag.lineno, tag.colno, targets) as Node;
      node.body = body;
      node.value = null;
      return node;
    }
    let value = this.parseExpression();
    if (this.skip(T.COMMA)) {
      const tuple = new nodes.Array!(value.lineno, value.colno) as Node & { addChild(n: Node): void };
      tuple.addChild(value);
      do {
        if (this.peekToken().type === T.BLOCK_END) break;
        tuple.addChild(this.parseExpression());
      } while (this.skip(T.COMMA));
      value = tuple;
    }
    this.advanceAfterBlockEnd(tag.value);
    if (targets.length === 1 && single.typename === 'LookupVal') {
      return new SetAttr(tag.lineno, tag.colno, single.target, single.val, value);
    }
    for (const t of targets) {
      if (t.typename !== 'Symbol') this.fail('set assigns to names, or to one attribute (ns.x)', t.lineno, t.colno);
    }
    const node = new nodes.Set!(tag.lineno, tag.colno, targets) as Node;
    node.value = value;
    node.unpack = targets.length > 1;
    return node;
  };

  /** `{% for x in xs if cond %}`: the iterable is read without a conditional expression, as Jinja2 does. */
  P.parseFor = function (this: Parser): Node {
    const forTok = this.peekToken();
    if (!this.skipSymbol('for')) this.fail('expected for', forTok.lineno, forTok.colno);
    const node = new nodes.For!(forTok.lineno, forTok.colno) as Node;
    const names: Node[] = [];
    do {
      const name = this.parsePrimary(true);
      if (name.typename !== 'Symbol') this.fail('expected a loop variable name', name.lineno, name.colno);
      names.push(name);
    } while (this.skip(T.COMMA));
    if (names.length > 1) {
      const list = new nodes.Array!(forTok.lineno, forTok.colno) as Node & { addChild(n: Node): void };
      for (const n of names) list.addChild(n);
      node.name = list;
    } else node.name = names[0];
    if (!this.skipSymbol('in')) this.fail('expected "in" in the for tag', forTok.lineno, forTok.colno);
    node.arr = this.parseOr();
    if (this.skipSymbol('if')) node.cond = this.parseExpression();
    this.advanceAfterBlockEnd(forTok.value);
    node.body = this.parseUntilBlocks('endfor', 'else');
    if (this.skipSymbol('else')) {
      this.advanceAfterBlockEnd('else');
      node.else_ = this.parseUntilBlocks('endfor');
    }
    this.advanceAfterBlockEnd();
    return node;
  };

  const parseStatement = P.parseStatement;
  /** `{% break %}` and `{% continue %}` (Jinja2's loopcontrols extension, which dbt enables). */
  P.parseStatement = function (this: Parser): Node | null {
    const tok = this.peekToken();
    if (tok.type === T.SYMBOL && (tok.value === 'break' || tok.value === 'continue')) {
      const breakOn = (this as unknown as { breakOnBlocks?: string[] }).breakOnBlocks;
      if (breakOn?.includes(tok.value)) return null;
      this.nextToken();
      this.advanceAfterBlockEnd(tok.value);
      return new LoopControl(tok.lineno, tok.colno, tok.value);
    }
    return parseStatement.call(this);
  };
}

function patchCompiler(): void {
  const assertType = C.assertType as (this: Compiler, node: Node, ...types: NodeClass[]) => void;
  C.assertType = function (this: Compiler, node: Node, ...types: NodeClass[]): void {
    if ((node as object) instanceof Slice || (node as object) instanceof Truth) return;
    assertType.call(this, node, ...types);
  };
  const binary = (fn: string) =>
    function (this: Compiler, node: Node, frame: CompileFrame): void {
      this._emit(`runtime.${fn}(`);
      this.compile(node.left, frame);
      this._emit(', ');
      this.compile(node.right, frame);
      this._emit(')');
    };
  C.compileAdd = binary('pyAdd');
  C.compileMul = binary('pyMul');
  C.compileSub = binary('pySub');
  C.compileMod = binary('pyMod');
  C.compileConcat = binary('pyConcat');
  C.compileIn = binary('pyIn');

  /** `a and b`, `a or b` return one of their operands, chosen by Python's truth; `not` negates it. */
  C.compileAnd = function (this: Compiler, node: Node, frame: CompileFrame): void {
    this._emit('runtime.pyAnd(');
    this.compile(node.left, frame);
    this._emit(', function () { return ');
    this.compile(node.right, frame);
    this._emit('; })');
  };
  C.compileOr = function (this: Compiler, node: Node, frame: CompileFrame): void {
    this._emit('runtime.pyOr(');
    this.compile(node.left, frame);
    this._emit(', function () { return ');
    this.compile(node.right, frame);
    this._emit('; })');
  };
  C.compileNot = function (this: Compiler, node: Node, frame: CompileFrame): void {
    this._emit('!runtime.pyTruthy(');
    this.compile(node.target, frame);
    this._emit(')');
  };
  C.compileInlineIf = function (this: Compiler, node: Node, frame: CompileFrame): void {
    this._emit('(runtime.pyTruthy(');
    this.compile(node.cond, frame);
    this._emit(') ? ');
    this.compile(node.body, frame);
    this._emit(' : ');
    if (node.else_) this.compile(node.else_, frame);
    else this._emit('undefined');
    this._emit(')');
  };
  const compileIf = C.compileIf as (this: Compiler, node: Node, frame: CompileFrame, async?: boolean) => void;
  C.compileIf = function (this: Compiler, node: Node, frame: CompileFrame, async?: boolean): void {
    const wrapped = Object.create(node) as Node;
    wrapped.cond = new Truth(node.lineno, node.colno, node.cond);
    compileIf.call(this, wrapped, frame, async);
  };
  C.compilePyTruth = function (this: Compiler, node: Node, frame: CompileFrame): void {
    this._emit('runtime.pyTruthy(');
    this.compile(node.target, frame);
    this._emit(')');
  };

  /** `==` and `!=` compare lists and dicts by value; the other comparisons are JavaScript's. */
  const compileCompare = C.compileCompare as (this: Compiler, node: Node, frame: CompileFrame) => void;
  C.compileCompare = function (this: Compiler, node: Node, frame: CompileFrame): void {
    const ops = node.ops as Array<{ type: string; expr: Node }>;
    if (ops.length === 1 && (ops[0]!.type === '==' || ops[0]!.type === '!=')) {
      this._emit(ops[0]!.type === '!=' ? '!runtime.pyEq(' : 'runtime.pyEq(');
      this.compile(node.expr, frame);
      this._emit(', ');
      this.compile(ops[0]!.expr, frame);
      this._emit(')');
      return;
    }
    compileCompare.call(this, node, frame);
  };

  C.compileLookupVal = function (this: Compiler, node: Node, frame: CompileFrame): void {
    this._emit('runtime.memberLookup((');
    this._compileExpression(node.target, frame);
    this._emit('),');
    this._compileExpression(node.val, frame);
    this._emit(')');
  };

  C.compilePySlice = function (this: Compiler, node: Node, frame: CompileFrame): void {
    this._emit('runtime.pySlice(');
    this._compileExpression(node.target, frame);
    for (const part of ['start', 'stop', 'step']) {
      this._emit(', ');
      if (node[part]) this._compileExpression(node[part], frame);
      else this._emit('null');
    }
    this._emit(')');
  };

  /** Filters record their line, as calls do, so an error inside one is placed. */
  const compileFilter = C.compileFilter as (this: Compiler, node: Node, frame: CompileFrame) => void;
  C.compileFilter = function (this: Compiler, node: Node, frame: CompileFrame): void {
    this._emit(`(lineno = ${node.lineno}, colno = ${node.colno}, `);
    compileFilter.call(this, node, frame);
    this._emit(')');
  };

  /**
   * Calls: the callee's name (for the error when it is undefined) is quoted as JSON, so a string literal with
   * line breaks as callee (`'...'.format(...)`) compiles; a call with `*args` or `**kwargs` builds its
   * arguments at run time.
   */
  C.compileFunCall = function (this: Compiler & { _getNodeName(n: unknown): string }, node: Node, frame: CompileFrame): void {
    const args = node.args as Node;
    const children = (args.children ?? []) as Node[];
    this._emit(`(lineno = ${node.lineno}, colno = ${node.colno}, runtime.callWrap(`);
    this._compileExpression(node.name, frame);
    this._emit(`, ${JSON.stringify(this._getNodeName(node.name))}, context, `);
    if (!children.some((c) => c instanceof Splat)) {
      this._compileAggregate(args, frame, '[', ']');
      this._emit('))');
      return;
    }
    this._emit('runtime.pyCallArgs([');
    children.forEach((child, i) => {
      if (i) this._emit(', ');
      if (child instanceof Splat) {
        this._emit(`{ __splat: ${JSON.stringify(child.kind)}, value: `);
        this._compileExpression(child.target, frame);
        this._emit(' }');
      } else if ((child as Node).typename === 'KeywordArgs') this.compile(child, frame);
      else this._compileExpression(child, frame);
    });
    this._emit('])))');
  };

  /** A tuple literal is a list that prints with parentheses. */
  const compileArray = C.compileArray as (this: Compiler, node: Node, frame: CompileFrame) => void;
  C.compileArray = function (this: Compiler, node: Node, frame: CompileFrame): void {
    if (!node.tuple) {
      compileArray.call(this, node, frame);
      return;
    }
    this._emit('runtime.pyTuple(');
    compileArray.call(this, node, frame);
    this._emit(')');
  };

  C.compilePyLoopControl = function (this: Compiler, node: Node): void {
    this._emitLine(`${node.keyword as string};`);
  };

  /**
   * Jinja2's scoping: a `set` writes the innermost scope (a loop body, a macro, the template), never an outer
   * one, so a `set` inside a loop is gone after it (which is why dbt code uses namespace()).
   */
  C.compileSet = function (this: Compiler, node: Node, frame: CompileFrame): void {
    const targets = node.targets as Node[];
    const shadowed: Array<[string, string]> = [];
    const ids = targets.map((target) => {
      const name = target.value as string;
      const own = frame.variables[name];
      if (own) return own;
      const id = this._tmpid();
      this._emitLine(`var ${id};`);
      // A name bound further out (a macro argument, an outer loop variable) is shadowed once it is set: the
      // value itself still reads the outer one, so `{% set xs = xs + [x] %}` in a loop body starts from the
      // outer list in every pass, as in Jinja2.
      if (frame.lookup(name)) shadowed.push([name, id]);
      return id;
    });
    const shadow = () => {
      for (const [name, id] of shadowed) frame.set(name, id);
    };
    if (node.unpack) {
      const tuple = this._tmpid();
      this._emit(`var ${tuple} = runtime.pyUnpack(`);
      this._compileExpression(node.value, frame);
      this._emitLine(`, ${ids.length});`);
      ids.forEach((id, i) => this._emitLine(`${id} = ${tuple}[${i}];`));
      shadow();
    } else {
      this._emit(`${ids.join(' = ')} = `);
      if (node.value) this._compileExpression(node.value, frame);
      else this.compile(node.body, frame);
      this._emitLine(';');
      shadow();
    }
    targets.forEach((target, i) => {
      const name = JSON.stringify(target.value);
      this._emitLine(`frame.set(${name}, ${ids[i]});`);
      this._emitLine(`if(frame.topLevel) { context.setVariable(${name}, ${ids[i]}); }`);
    });
  };

  /** A dict key is an expression, as in Jinja2: `{key: value}` uses the variable `key`, not the text. */
  C.compilePair = function (this: Compiler, node: Node, frame: CompileFrame): void {
    this._emit('[');
    this._compileExpression(node.key, frame);
    this._emit(']: ');
    this._compileExpression(node.value, frame);
  };

  /** Keyword arguments name their parameter: `f(key=1)` passes `key`, whatever a variable `key` holds. */
  C.compileKeywordArgs = function (this: Compiler, node: Node, frame: CompileFrame): void {
    this._emit('runtime.makeKeywordArgs({');
    (node.children as Node[]).forEach((pair, i) => {
      if (i) this._emit(', ');
      const key = pair.key as Node;
      this._emit(`${JSON.stringify(String(key.value))}: `);
      this._compileExpression(pair.value, frame);
    });
    this._emit('})');
  };

  C.compilePySetAttr = function (this: Compiler, node: Node, frame: CompileFrame): void {
    this._emit('runtime.pySetAttr(');
    this._compileExpression(node.target, frame);
    this._emit(', ');
    this._compileExpression(node.attr, frame);
    this._emit(', ');
    if (node.value && (node.value as Node).typename === 'Capture') this.compile(node.value, frame);
    else this._compileExpression(node.value, frame);
    this._emitLine(');');
  };

  /**
   * Loops over what Python iterates (a dict's keys, a string's characters), tuples unpacked into several
   * names, an optional `if` filter applied first (so `loop.length` counts what is left), and `loop` as one
   * object per item.
   */
  C.compileFor = function (this: Compiler, node: Node, outer: CompileFrame): void {
    const i = this._tmpid();
    const len = this._tmpid();
    const arr = this._tmpid();
    const item = this._tmpid();
    const frame = outer.push();
    const names = (node.name as Node).typename === 'Array' ? ((node.name as Node).children as Node[]).map((n) => n.value as string) : [(node.name as Node).value as string];
    this._emitLine('frame = frame.push();');
    this._emit(`var ${arr} = runtime.pyLoopItems(`);
    this._compileExpression(node.arr, frame);
    this._emitLine(`, ${names.length});`);
    const bind = (source: string) => {
      if (names.length === 1) {
        this._emitLine(`frame.set(${JSON.stringify(names[0])}, ${source});`);
        return;
      }
      const tuple = this._tmpid();
      this._emitLine(`var ${tuple} = runtime.pyUnpack(${source}, ${names.length});`);
      names.forEach((name, u) => this._emitLine(`frame.set(${JSON.stringify(name)}, ${tuple}[${u}]);`));
    };
    if (node.cond) {
      const kept = this._tmpid();
      const j = this._tmpid();
      this._emitLine(`var ${kept} = [];`);
      this._emitLine(`for (var ${j} = 0; ${j} < ${arr}.length; ${j}++) {`);
      this._emitLine('frame = frame.push();');
      bind(`${arr}[${j}]`);
      this._emit('if (runtime.pyTruthy(');
      this._compileExpression(node.cond, frame);
      this._emitLine(`)) ${kept}.push(${arr}[${j}]);`);
      this._emitLine('frame = frame.pop();');
      this._emitLine('}');
      this._emitLine(`${arr} = ${kept};`);
    }
    this._emitLine(`var ${len} = ${arr}.length;`);
    this._emitLine(`for (var ${i} = 0; ${i} < ${len}; ${i}++) {`);
    // Each pass has a scope of its own: what one pass sets is gone in the next, as in Jinja2 (the finally
    // keeps the frames right through break, continue and return()).
    this._emitLine('frame = frame.push();');
    this._emitLine('try {');
    this._emitLine(`var ${item} = ${arr}[${i}];`);
    bind(item);
    this._emitLine(`frame.set("loop", runtime.pyLoop(${arr}, ${i}));`);
    this._withScopedSyntax(() => this.compile(node.body, frame));
    this._emitLine('} finally { frame = frame.pop(); }');
    this._emitLine('}');
    if (node.else_) {
      this._emitLine(`if (!${len}) {`);
      this.compile(node.else_, frame);
      this._emitLine('}');
    }
    this._emitLine('frame = frame.pop();');
  };
}
