import { classifyByPatterns, type DatabaseErrorClass, type ErrorPatterns } from '@mesh/engine';

/** PostgreSQL's messages, read for what they mean to the user (the engine words the hint). */
const PATTERNS: ErrorPatterns = [
  [/relation "([^"]+)" does not exist/, (m) => ({ kind: 'missing-relation', name: m[1]! })],
  [/column "?([^"\s]+)"? does not exist/, (m) => ({ kind: 'missing-column', column: (m[1]!.split('.').at(-1))! })],
  [/invalid input syntax for type|out of range for type|cannot be cast/, () => ({ kind: 'conversion' })],
  [/violates (?:not-null|unique|check|foreign key) constraint|violates exclusion constraint/, () => ({ kind: 'constraint' })],
  [/syntax error at or near|syntax error at end of input/, () => ({ kind: 'syntax' })],
];

export function classifyPostgresError(message: string): DatabaseErrorClass | undefined {
  return classifyByPatterns(PATTERNS, message);
}
