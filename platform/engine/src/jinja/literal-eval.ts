/**
 * Python's `ast.literal_eval`, as dbt's native rendering applies it to a rendered YAML value: `"{{ var('on') }}"`
 * renders to `False` and becomes the boolean false; `[1, 2]` a list; anything that is not a literal stays text.
 */

class LiteralReader {
  private i = 0;
  constructor(private readonly text: string) {}

  read(): unknown {
    const value = this.value();
    this.space();
    if (this.i !== this.text.length) throw new SyntaxError('trailing text');
    return value;
  }

  private space(): void {
    while (this.i < this.text.length && /\s/.test(this.text[this.i]!)) this.i++;
  }

  private value(): unknown {
    this.space();
    const c = this.text[this.i];
    if (c === '[' || c === '(') return this.list(c === '[' ? ']' : ')');
    if (c === '{') return this.dict();
    if (c === "'" || c === '"') return this.string();
    const m = /^(?:-?(?:\d+\.\d*|\.\d+|\d+)(?:[eE][+-]?\d+)?|True|False|None)/.exec(this.text.slice(this.i));
    if (!m) throw new SyntaxError('not a literal');
    this.i += m[0].length;
    if (m[0] === 'True') return true;
    if (m[0] === 'False') return false;
    if (m[0] === 'None') return null;
    return Number(m[0]);
  }

  private list(close: string): unknown[] {
    this.i++;
    const out: unknown[] = [];
    for (;;) {
      this.space();
      if (this.text[this.i] === close) {
        this.i++;
        return out;
      }
      out.push(this.value());
      this.space();
      if (this.text[this.i] === ',') this.i++;
      else if (this.text[this.i] !== close) throw new SyntaxError('expected , or close');
    }
  }

  private dict(): Record<string, unknown> {
    this.i++;
    const out: Record<string, unknown> = {};
    for (;;) {
      this.space();
      if (this.text[this.i] === '}') {
        this.i++;
        return out;
      }
      const key = this.value();
      this.space();
      if (this.text[this.i] !== ':') throw new SyntaxError('expected :');
      this.i++;
      out[String(key)] = this.value();
      this.space();
      if (this.text[this.i] === ',') this.i++;
      else if (this.text[this.i] !== '}') throw new SyntaxError('expected , or }');
    }
  }

  private string(): string {
    const quote = this.text[this.i]!;
    this.i++;
    let out = '';
    while (this.i < this.text.length && this.text[this.i] !== quote) {
      const c = this.text[this.i++]!;
      if (c === '\\') {
        const e = this.text[this.i++]!;
        out += e === 'n' ? '\n' : e === 't' ? '\t' : e === 'r' ? '\r' : e;
      } else out += c;
    }
    if (this.text[this.i] !== quote) throw new SyntaxError('unterminated string');
    this.i++;
    return out;
  }
}

/** The rendered text as a Python literal, or the text itself when it is not one. */
export function literalEval(text: string): unknown {
  if (!text.trim()) return text;
  try {
    return new LiteralReader(text).read();
  } catch {
    return text;
  }
}
