import { describe, expect, it } from 'vitest';
import { fromTrinoType, fromTrinoValue, maskExpression, toTrinoType } from './dialect';

describe('type names between contracts (DuckDB spelling) and Trino', () => {
  it('spells contract types for Trino and Iceberg', () => {
    expect(['INTEGER', 'int', 'BIGINT', 'VARCHAR', 'varchar(20)', 'DOUBLE', 'FLOAT', 'DECIMAL(18,2)', 'decimal', 'DATE', 'TIMESTAMP', 'TIMESTAMP WITH TIME ZONE', 'BOOLEAN', 'HUGEINT'].map(toTrinoType)).toEqual(
      ['integer', 'integer', 'bigint', 'varchar', 'varchar', 'double', 'real', 'decimal(18,2)', 'decimal(18,3)', 'date', 'timestamp(6)', 'timestamp(6) with time zone', 'boolean', 'decimal(38,0)'],
    );
  });

  it("names Trino's column types as DuckDB does, so a contract compares alike on every engine", () => {
    expect(['integer', 'bigint', 'varchar', 'varchar(1)', 'char(3)', 'double', 'real', 'decimal(18,2)', 'date', 'timestamp(3)', 'timestamp(6) with time zone', 'boolean', 'array(integer)'].map(fromTrinoType)).toEqual(
      ['INTEGER', 'BIGINT', 'VARCHAR', 'VARCHAR', 'VARCHAR', 'DOUBLE', 'FLOAT', 'DECIMAL(18,2)', 'DATE', 'TIMESTAMP', 'TIMESTAMP WITH TIME ZONE', 'BOOLEAN', 'INTEGER[]'],
    );
    // A round trip keeps the contract's name.
    for (const t of ['INTEGER', 'BIGINT', 'VARCHAR', 'DOUBLE', 'DECIMAL(18,2)', 'DATE', 'TIMESTAMP', 'BOOLEAN']) expect(fromTrinoType(toTrinoType(t))).toBe(t);
  });

  it('reads protocol values as the other adapters return them', () => {
    expect(fromTrinoValue('12.50', 'decimal(10,2)')).toBe(12.5);
    expect(fromTrinoValue('2026-01-02', 'date')).toEqual(new Date('2026-01-02T00:00:00Z'));
    expect(fromTrinoValue('2026-01-02 10:11:12.000000', 'timestamp(6)')).toEqual(new Date('2026-01-02T10:11:12Z'));
    expect(fromTrinoValue(null, 'bigint')).toBeNull();
  });

  it('masks as the DuckDB publication does: a lower-case hex sha256 of the text', () => {
    expect(maskExpression('customer_email', 'hash', Buffer.from('00ff', 'hex'))).toBe(`lower(to_hex(hmac_sha256(to_utf8(CAST("customer_email" AS varchar)), from_hex('00ff'))))`);
    expect(() => maskExpression('customer_email', 'hash')).toThrow(/masking key/);
    expect(maskExpression('name', 'redact')).toMatch(/'\[redacted\]'/);
  });
});
