import { MeshError, type SourceLocation } from '@mesh/errors';
import { PyError } from './python';
import { didYouMean } from '../util/did-you-mean';

/** Calling something that is not callable, named the way Jinja2 users write it (`dbt_utils.star`). */
export class JinjaCallError extends Error {
  readonly callee: string;
  constructor(name: string, value: unknown) {
    const callee = name.replace(/\["([^"]+)"\]/g, '.$1');
    super(value === undefined || value === null ? `'${callee}' is undefined` : `'${callee}' is not callable`);
    this.callee = callee;
  }
}


/** Control flow that unwinds a render on purpose; never reported as an error. */
export class JinjaSignal extends Error {}

/** dbt's `{{ return(value) }}`: ends the macro that is running and hands its caller the value. */
export class MacroReturn extends JinjaSignal {
  constructor(readonly value: unknown) {
    super('return');
  }
}

export function isSignal(error: unknown): error is JinjaSignal {
  return error instanceof JinjaSignal;
}

/**
 * An error raised while rendering, with the innermost template place it happened at (a macro's file and
 * line, not only the model's) and the places that called into it.
 */
export class JinjaFault extends Error {
  /** nunjucks keeps an error that has a line as it is, instead of wrapping it again. */
  readonly lineno: number;
  readonly callers: SourceLocation[] = [];

  private constructor(
    readonly original: unknown,
    readonly file: string,
    /** 1-based, as editors count. */
    readonly line: number | undefined,
    readonly column: number | undefined,
  ) {
    super(original instanceof Error ? original.message : String(original));
    this.lineno = line ?? 0;
  }

  /** Locates `error` at nunjucks' 0-based line and column in `file`, or adds the place as a caller. */
  static at(error: unknown, file: string, lineno: number | undefined, colno: number | undefined): JinjaFault {
    const line = lineno === undefined ? undefined : lineno + 1;
    const column = colno === undefined ? undefined : colno + 1;
    if (error instanceof JinjaFault) {
      const last = error.callers[error.callers.length - 1] ?? { file: error.file, line: error.line };
      if (last.file !== file || last.line !== line) error.callers.push({ file, line, column });
      return error;
    }
    const nested = unwrap(error);
    if (nested instanceof JinjaFault) return JinjaFault.at(nested, file, lineno, colno);
    return new JinjaFault(nested, file, line, column);
  }
}

/** nunjucks wraps what a template throws in a TemplateError; the thrown value is its `cause`. */
export function unwrap(error: unknown): unknown {
  let current = error;
  for (let i = 0; i < 10; i++) {
    if (current instanceof JinjaFault || current instanceof MeshError || current instanceof JinjaSignal) return current;
    const cause = (current as { cause?: unknown } | null)?.cause;
    if (!(current instanceof Error) || cause === undefined || (current as { name?: string }).name !== 'Template render error') return current;
    current = cause;
  }
  return current;
}

/** nunjucks puts the position in its message: `(file) [Line 3, Column 5]`. */
function nunjucksPosition(message: string): { line?: number; column?: number; text: string } {
  const m = /\[Line (\d+), Column (\d+)\]/.exec(message) ?? /\[Line (\d+)\]/.exec(message);
  const text = message
    .replace(/^\([^)]*\)\s*/, '')
    .replace(/\[Line \d+(?:, Column \d+)?\]\s*/, '')
    .replace(/^Template render error:\s*/i, '')
    .replace(/^\([^)]*\)\s*/, '')
    .replace(/^Error:\s*/, '')
    .trim();
  return { line: m ? Number(m[1]) : undefined, column: m?.[2] ? Number(m[2]) : undefined, text };
}

const SYNTAX_HINT = "Check the tags and expressions at that line: every {% if %}, {% for %}, {% macro %} and {% call %} needs its end tag, and strings their closing quote.";

/** A syntax error nunjucks found while compiling `file`. */
export function syntaxError(file: string, error: unknown): MeshError {
  if (error instanceof MeshError) return error;
  const message = error instanceof Error ? error.message : String(error);
  const at = nunjucksPosition(message);
  // nunjucks' parser gives the place as properties (1-based) before a message would carry it.
  const own = error as { lineno?: number; colno?: number };
  // Snapshot files are cut into their blocks before Jinja reads them; anywhere else the block is misplaced.
  if (/unknown block tag: snapshot\b/.test(at.text)) {
    return new MeshError('E_DBT_UNSUPPORTED', '{% snapshot %} is not supported: snapshot blocks belong in files under snapshot-paths, not among models or macros', {
      location: { file, line: at.line ?? own.lineno },
      hint: 'Move the block into a .sql file under snapshots/ (or another folder listed in snapshot-paths).',
    });
  }
  return new MeshError('E_JINJA_SYNTAX', `Jinja syntax error: ${at.text.split('\n').join(' ')}`, {
    location: { file, line: at.line ?? own.lineno, column: at.column ?? own.colno },
    hint: SYNTAX_HINT,
  });
}

function trace(callers: SourceLocation[]): string | undefined {
  if (!callers.length) return undefined;
  return callers.map((c) => `  called from ${c.file}${c.line ? `:${c.line}` : ''}`).join('\n');
}

/**
 * The MeshError a failed render reports: the error's own code and hint when it is one (a missing var, a
 * compiler error a macro raised), placed at the innermost template line, with the chain of callers.
 */
export function renderError(error: unknown, file: string, known: () => Iterable<string>): MeshError {
  const inner = unwrap(error);
  const fault = inner instanceof JinjaFault ? inner : undefined;
  const original = fault ? unwrap(fault.original) : inner;
  const location: SourceLocation = fault
    ? { file: fault.file || file, line: fault.line, column: fault.column }
    : { file, ...positionOf(error) };
  const details = fault ? trace(fault.callers) : undefined;
  if (original instanceof MeshError) {
    // A MeshError that knows its place (a YAML value's line) keeps it.
    const place = original.location?.line ? original.location : location;
    return new MeshError(original.code, original.message, { hint: original.hint, location: place, node: original.node, details: [original.details, details].filter(Boolean).join('\n') || undefined });
  }
  if (original instanceof JinjaCallError) {
    const guess = didYouMean(original.callee, known());
    const [head] = original.callee.split('.');
    const hint = guess
      ? `Did you mean '${guess}'?`
      : original.callee.includes('.') && head && !/^(adapter|api|dbt|modules|exceptions)$/.test(head)
        ? `Install the package that defines it (dbt_packages/${head}, as dbt deps does), or define the macro under macro-paths.`
        : 'Define the macro in a file under macro-paths, or install the package that has it under dbt_packages/.';
    return new MeshError('E_JINJA_UNDEFINED', `${original.message}: no macro, function or variable has that name`, { location, hint, details });
  }
  if (original instanceof PyError) {
    return new MeshError('E_JINJA_RENDER', `Jinja render error: ${original.message}`, {
      location,
      details,
      hint: 'Python rules apply inside {{ }} and {% %}, as in dbt: check the types of the values at that line.',
    });
  }
  const message = original instanceof Error ? original.message : String(original);
  const at = nunjucksPosition(message);
  if (/^Jinja syntax/.test(at.text) || (original as { name?: string })?.name === 'Template render error') {
    return new MeshError('E_JINJA_RENDER', `Jinja render error: ${at.text.split('\n').join(' ')}`, {
      location: { file: location.file, line: location.line ?? at.line, column: location.column ?? at.column },
      details,
      hint: SYNTAX_HINT,
    });
  }
  return new MeshError('E_JINJA_RENDER', `Jinja render error: ${at.text.split('\n').join(' ')}`, {
    location,
    details,
    hint: 'Check the expression at that line.',
  });
}

function positionOf(error: unknown): { line?: number; column?: number } {
  const message = error instanceof Error ? error.message : String(error);
  const at = nunjucksPosition(message);
  return { line: at.line, column: at.column };
}
