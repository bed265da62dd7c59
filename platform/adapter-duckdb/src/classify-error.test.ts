import { describe, expect, it } from 'vitest';
import { databaseErrorHint } from '@mesh/engine';
import { classifyDuckDBError } from './classify-error';

const hint = (message: string) => databaseErrorHint(classifyDuckDBError(message));

describe("DuckDB's error messages, classified for the engine's hints", () => {
  it('points a missing source file at external_location and its variables', () => {
    expect(hint('IO Error: No files found that match the pattern "/data/source_x.csv"')).toContain('A source reads /data/source_x.csv, which does not exist');
  });

  it('sends a missing table to ref() and public models', () => {
    expect(classifyDuckDBError('Catalog Error: Table with name stg_customers does not exist!')).toEqual({ kind: 'missing-relation', name: 'stg_customers' });
    expect(hint('Catalog Error: Table with name stg_customers does not exist!')).toContain("ref('domain', 'model')");
  });

  it('names a missing column', () => {
    expect(hint('Binder Error: Referenced column "first_nam" not found in FROM clause!')).toBe(
      "Column first_nam is not produced by the relation it is read from; check the upstream model's columns (mesh ls, or target/manifest.json).",
    );
  });

  it('reads conversion, constraint and parser errors', () => {
    expect(classifyDuckDBError('Conversion Error: Could not convert string "x" to INT32')).toEqual({ kind: 'conversion' });
    expect(classifyDuckDBError('Constraint Error: NOT NULL constraint failed: t.id')).toEqual({ kind: 'constraint' });
    expect(classifyDuckDBError('Parser Error: syntax error at or near "form"')).toEqual({ kind: 'syntax' });
  });

  it('falls back to the compiled SQL', () => {
    expect(classifyDuckDBError('Out of Memory Error')).toBeUndefined();
    expect(hint('Out of Memory Error')).toContain('target/compiled/');
  });
});
