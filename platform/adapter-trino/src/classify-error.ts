import type { DatabaseErrorClass } from '@mesh/engine';

/** Trino's messages, read for what they mean to the user (the engine words the hint). */
const PATTERNS: Array<[RegExp, (m: RegExpExecArray) => DatabaseErrorClass]> = [
  [/Table '([^']+)' does not exist/, (m) => ({ kind: 'missing-relation', name: m[1]! })],
  [/Column '([^']+)' cannot be resolved/, (m) => ({ kind: 'missing-column', column: m[1]!.split('.').at(-1)! })],
  [/Cannot cast|cannot be cast to|INVALID_CAST_ARGUMENT/, () => ({ kind: 'conversion' })],
  [/NULL value not allowed for NOT NULL column|CONSTRAINT_VIOLATION/, () => ({ kind: 'constraint' })],
  [/mismatched input|extraneous input|SYNTAX_ERROR/, () => ({ kind: 'syntax' })],
];

export function classifyTrinoError(message: string): DatabaseErrorClass | undefined {
  for (const [pattern, kind] of PATTERNS) {
    const m = pattern.exec(message);
    if (m) return kind(m);
  }
  return undefined;
}
