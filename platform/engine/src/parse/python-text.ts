/**
 * Python's `str()` and `repr()` of the plain values a YAML file holds. dbt names generic tests and hashes
 * their unique ids from these spellings, so a test is only the same node as dbt's if they are exact.
 */

/** Python's repr of a float: the shortest digits that round-trip, in exponent form below 1e-4 and from 1e16. */
function floatRepr(value: number): string {
  if (Number.isNaN(value)) return 'nan';
  if (!Number.isFinite(value)) return value > 0 ? 'inf' : '-inf';
  const [mantissa, exp] = value.toExponential().split('e') as [string, string];
  const exponent = Number(exp);
  if (exponent < -4 || exponent >= 16) {
    const digits = mantissa.includes('.') ? mantissa : `${mantissa}.0`;
    const shortened = digits.endsWith('.0') ? digits.slice(0, -2) : digits;
    return `${shortened}e${exponent < 0 ? '-' : '+'}${String(Math.abs(exponent)).padStart(2, '0')}`;
  }
  const fixed = value.toFixed(Math.max(0, mantissa.replace(/^-?\d\.?/, '').length - exponent));
  return fixed.includes('.') ? fixed : `${fixed}.0`;
}

/**
 * A number as Python would print it. YAML `1.0` and `1` both arrive here as 1; dbt's YAML loader would
 * make the first a float (`1.0`), a difference too rare in test arguments to track.
 */
function numberText(value: number): string {
  return Number.isInteger(value) && Math.abs(value) < 1e16 ? String(value) : floatRepr(value);
}

/** Characters a Python repr always escapes; strings without them (most names) need only their quotes. */
const NEEDS_ESCAPE = /[\\\x00-\x1f\x7f]/;

export function pythonStringRepr(text: string): string {
  if (!NEEDS_ESCAPE.test(text)) {
    if (!text.includes("'")) return `'${text}'`;
    if (!text.includes('"')) return `"${text}"`;
  }
  const quote = text.includes("'") && !text.includes('"') ? '"' : "'";
  let out = quote;
  for (const ch of text) {
    const code = ch.codePointAt(0)!;
    if (ch === '\\') out += '\\\\';
    else if (ch === quote) out += `\\${quote}`;
    else if (ch === '\n') out += '\\n';
    else if (ch === '\r') out += '\\r';
    else if (ch === '\t') out += '\\t';
    else if (code < 0x20 || code === 0x7f) out += `\\x${code.toString(16).padStart(2, '0')}`;
    else out += ch;
  }
  return out + quote;
}

export function pythonRepr(value: unknown): string {
  if (value === null || value === undefined) return 'None';
  if (typeof value === 'string') return pythonStringRepr(value);
  if (typeof value === 'boolean') return value ? 'True' : 'False';
  if (typeof value === 'number') return numberText(value);
  if (value instanceof Date) return `datetime.date(${value.getUTCFullYear()}, ${value.getUTCMonth() + 1}, ${value.getUTCDate()})`;
  if (Array.isArray(value)) return `[${value.map(pythonRepr).join(', ')}]`;
  if (typeof value === 'object') {
    return `{${Object.entries(value as Record<string, unknown>).map(([k, v]) => `${pythonStringRepr(k)}: ${pythonRepr(v)}`).join(', ')}}`;
  }
  return String(value);
}

export function pythonStr(value: unknown): string {
  if (typeof value === 'string') return value;
  if (value instanceof Date) return value.toISOString().slice(0, 10);
  return pythonRepr(value);
}
