import { describe, expect, it } from 'vitest';
import { logicalTypeOf, normalizeType } from './types';

describe('normalizeType', () => {
  it.each([
    ['int', 'INTEGER'], ['int4', 'INTEGER'], ['Integer', 'INTEGER'], ['signed', 'INTEGER'],
    ['int8', 'BIGINT'], ['long', 'BIGINT'], ['bigint', 'BIGINT'],
    ['int2', 'SMALLINT'], ['short', 'SMALLINT'], ['int1', 'TINYINT'], ['tinyint', 'TINYINT'],
    ['int128', 'HUGEINT'], ['ubigint', 'UBIGINT'], ['uinteger', 'UINTEGER'], ['usmallint', 'USMALLINT'], ['utinyint', 'UTINYINT'], ['uhugeint', 'UHUGEINT'],
    ['varchar', 'VARCHAR'], ['string', 'VARCHAR'], ['text', 'VARCHAR'], ['char', 'VARCHAR'], ['bpchar', 'VARCHAR'], ['varchar(255)', 'VARCHAR'], ['VARCHAR ( 20 )', 'VARCHAR'],
    ['float', 'FLOAT'], ['float4', 'FLOAT'], ['real', 'FLOAT'], ['double', 'DOUBLE'], ['float8', 'DOUBLE'], ['double  precision', 'DOUBLE'],
    ['decimal', 'DECIMAL(18,3)'], ['numeric', 'DECIMAL(18,3)'], ['decimal(18, 2)', 'DECIMAL(18,2)'], ['numeric(10,4)', 'DECIMAL(10,4)'], ['decimal(9)', 'DECIMAL(9,0)'],
    ['bool', 'BOOLEAN'], ['logical', 'BOOLEAN'], ['date', 'DATE'], ['time', 'TIME'],
    ['datetime', 'TIMESTAMP'], ['timestamp', 'TIMESTAMP'], ['timestamptz', 'TIMESTAMP WITH TIME ZONE'], ['timestamp  with time zone', 'TIMESTAMP WITH TIME ZONE'],
    ['bytea', 'BLOB'], ['varbinary', 'BLOB'], ['uuid', 'UUID'], ['json', 'JSON'], ['interval', 'INTERVAL'],
    ['int[]', 'INTEGER[]'], ['varchar[3]', 'VARCHAR[3]'], ['text[][]', 'VARCHAR[][]'], ['decimal(10,2)[]', 'DECIMAL(10,2)[]'],
    ['struct(id int, "Name" text)', 'STRUCT(id INTEGER, "Name" VARCHAR)'], ['map(varchar, int8)', 'MAP(VARCHAR, BIGINT)'],
    ['union(num int, str varchar)', 'UNION(num INTEGER, str VARCHAR)'], ["enum('a', 'b')", "ENUM('a', 'b')"],
    ['struct(a struct(b int[]))[]', 'STRUCT(a STRUCT(b INTEGER[]))[]'], ['geometry', 'GEOMETRY'],
  ])('%s -> %s', (input, expected) => {
    expect(normalizeType(input)).toBe(expected);
  });
});

describe('logicalTypeOf', () => {
  it.each([
    ['INTEGER', 'integer'], ['hugeint', 'integer'], ['UBIGINT', 'integer'], ['double', 'number'], ['DECIMAL(18,2)', 'number'], ['real', 'number'],
    ['VARCHAR', 'string'], ['uuid', 'string'], ['JSON', 'string'], ["ENUM('a')", 'string'], ['blob', 'string'],
    ['boolean', 'boolean'], ['date', 'date'], ['timestamptz', 'timestamp'], ['TIMESTAMP_MS', 'timestamp'], ['time', 'time'],
    ['BIGINT[]', 'array'], ['STRUCT(a INTEGER)', 'object'], ['MAP(VARCHAR, INTEGER)', 'object'],
  ])('%s -> %s', (input, expected) => {
    expect(logicalTypeOf(input)).toBe(expected);
  });
});
