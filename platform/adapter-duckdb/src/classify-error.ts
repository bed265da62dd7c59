import { classifyByPatterns, type DatabaseErrorClass, type ErrorPatterns } from '@mesh/engine';

/** DuckDB's messages, read for what they mean to the user (the engine words the hint). */
const PATTERNS: ErrorPatterns = [
  [/No files found that match the pattern "([^"]+)"/, (m) => ({ kind: 'missing-file', path: m[1]! })],
  [/Catalog Error: Table with name (\S+) does not exist/, (m) => ({ kind: 'missing-relation', name: m[1]! })],
  [/Referenced column "?([^"\s]+)"? not found/, (m) => ({ kind: 'missing-column', column: m[1]! })],
  [/Binder Error: Values list "?(\w+)"? does not have/, (m) => ({ kind: 'missing-column', column: m[1]! })],
  [/Conversion Error/, () => ({ kind: 'conversion' })],
  [/Constraint Error/, () => ({ kind: 'constraint' })],
  [/Parser Error/, () => ({ kind: 'syntax' })],
];

export function classifyDuckDBError(message: string): DatabaseErrorClass | undefined {
  return classifyByPatterns(PATTERNS, message);
}
