import { classifyByPatterns, type DatabaseErrorClass, type ErrorPatterns } from '@mesh/engine';

/** Trino's messages, read for what they mean to the user (the engine words the hint). */
const PATTERNS: ErrorPatterns = [
  [/Table '([^']+)' does not exist/, (m) => ({ kind: 'missing-relation', name: m[1]! })],
  [/Column '([^']+)' cannot be resolved/, (m) => ({ kind: 'missing-column', column: m[1]!.split('.').at(-1)! })],
  [/Cannot cast|cannot be cast to|INVALID_CAST_ARGUMENT/, () => ({ kind: 'conversion' })],
  [/NULL value not allowed for NOT NULL column|CONSTRAINT_VIOLATION/, () => ({ kind: 'constraint' })],
  [/mismatched input|extraneous input|SYNTAX_ERROR/, () => ({ kind: 'syntax' })],
];

export function classifyTrinoError(message: string): DatabaseErrorClass | undefined {
  return classifyByPatterns(PATTERNS, message);
}
