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

  constructor(code: string, message: string, options: MeshErrorOptions = {}) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.name = 'MeshError';
    this.code = code;
    this.hint = options.hint;
    this.location = options.location;
    this.node = options.node;
    this.details = options.details;
  }
}

export function isMeshError(value: unknown): value is MeshError {
  return value instanceof MeshError;
}
