import { describe, expect, it } from 'vitest';
import { classifyTrinoError } from './classify-error';

describe("Trino's error messages, classified for the engine's hints", () => {
  it('reads missing tables and columns, casts, NOT NULL and syntax', () => {
    expect(classifyTrinoError("line 1:15: Table 'sales.gold.orders' does not exist")).toEqual({ kind: 'missing-relation', name: 'sales.gold.orders' });
    expect(classifyTrinoError("line 1:8: Column 'first_nam' cannot be resolved")).toEqual({ kind: 'missing-column', column: 'first_nam' });
    expect(classifyTrinoError("line 1:8: Column 'o.first_nam' cannot be resolved")).toEqual({ kind: 'missing-column', column: 'first_nam' });
    expect(classifyTrinoError("Cannot cast 'x' to INT")).toEqual({ kind: 'conversion' });
    expect(classifyTrinoError('NULL value not allowed for NOT NULL column: id')).toEqual({ kind: 'constraint' });
    expect(classifyTrinoError("line 1:10: mismatched input 'form'. Expecting: <expression>")).toEqual({ kind: 'syntax' });
    expect(classifyTrinoError('Query exceeded per-node memory limit')).toBeUndefined();
  });
});
