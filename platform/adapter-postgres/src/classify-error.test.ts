import { describe, expect, it } from 'vitest';
import { classifyPostgresError } from './classify-error';

describe("PostgreSQL's error messages, classified for the engine's hints", () => {
  it('reads missing relations and columns, bad values, constraints and syntax', () => {
    expect(classifyPostgresError('relation "sales_gold.orders" does not exist')).toEqual({ kind: 'missing-relation', name: 'sales_gold.orders' });
    expect(classifyPostgresError('column "first_nam" does not exist')).toEqual({ kind: 'missing-column', column: 'first_nam' });
    expect(classifyPostgresError('column o.first_nam does not exist')).toEqual({ kind: 'missing-column', column: 'first_nam' });
    expect(classifyPostgresError('invalid input syntax for type integer: "x"')).toEqual({ kind: 'conversion' });
    expect(classifyPostgresError('null value in column "id" of relation "t" violates not-null constraint')).toEqual({ kind: 'constraint' });
    expect(classifyPostgresError('syntax error at or near "form"')).toEqual({ kind: 'syntax' });
    expect(classifyPostgresError('canceling statement due to statement timeout')).toBeUndefined();
  });
});
