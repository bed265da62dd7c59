import { describe, expect, it } from 'vitest';
import { databaseErrorHint } from './database-error-hint';

describe('databaseErrorHint', () => {
  it('points a missing source file at external_location and its variables', () => {
    expect(databaseErrorHint('IO Error: No files found that match the pattern "/data/source_x.csv"')).toContain('A source reads /data/source_x.csv, which does not exist');
  });

  it('sends a missing table to ref() and public models', () => {
    expect(databaseErrorHint('Catalog Error: Table with name stg_customers does not exist!')).toContain("ref('domain', 'model')");
  });

  it('names a missing column', () => {
    expect(databaseErrorHint('Binder Error: Referenced column "first_nam" not found in FROM clause!')).toBe(
      "Column first_nam is not produced by the relation it is read from; check the upstream model's columns (mesh ls, or target/manifest.json).",
    );
  });

  it('falls back to the compiled SQL', () => {
    expect(databaseErrorHint('Out of Memory Error')).toContain('target/compiled/');
  });
});
