/** Where in a user's file an error was found. Paths are relative to the project when possible. */
export interface SourceLocation {
  file: string;
  line?: number;
  column?: number;
}

export interface MeshErrorOptions {
  /** What the user can do about it. Printed under the message. */
  hint?: string;
  location?: SourceLocation;
  /** The node the error belongs to, as a unique id (`model.sales.order_summary`). */
  node?: string;
  /** Extra lines printed verbatim below the message (a table of mismatches, failing rows). */
  details?: string;
  cause?: unknown;
  /** Further errors found in the same pass (a compile lists every node that fails, not only the first). */
  related?: MeshError[];
}

/**
 * Every error a user can cause is a MeshError: it carries a stable code (for scripts and docs),
 * the place it was found and a hint, so the CLI can print it without a stack trace.
 */
export class MeshError extends Error {
  readonly code: string;
  readonly hint?: string;
  readonly location?: SourceLocation;
  readonly node?: string;
  readonly details?: string;
  readonly related: MeshError[];

  constructor(code: string, message: string, options: MeshErrorOptions = {}) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.name = 'MeshError';
    this.code = code;
    this.hint = options.hint;
    this.location = options.location;
    this.node = options.node;
    this.details = options.details;
    this.related = options.related ?? [];
  }

  /**
   * One error standing for several found in one pass: the first, carrying the rest as `related`, so
   * its code and place stay those of the first and the CLI prints them all.
   */
  static all(errors: MeshError[]): MeshError {
    const [first, ...rest] = errors;
    if (!first) throw new Error('MeshError.all needs at least one error');
    if (!rest.length) return first;
    return new MeshError(first.code, first.message, {
      hint: first.hint, location: first.location, node: first.node, details: first.details, cause: first.cause,
      related: [...first.related, ...rest],
    });
  }
}

export function isMeshError(value: unknown): value is MeshError {
  return value instanceof MeshError;
}
