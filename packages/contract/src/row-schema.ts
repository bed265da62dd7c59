import { z } from 'zod';
import type { Contract, ContractModel, ContractProperty, LogicalType } from './schema';
import { namedTargets } from './names';
import { baseTypeName, isListType, logicalTypeOf, normalizeType } from './types';

export type ValueKind = 'integer' | 'bigint' | 'float' | 'decimal' | 'string' | 'boolean' | 'date' | 'timestamp' | 'time' | 'array' | 'object';

/**
 * How a column's values arrive in JavaScript, as a schema value (rowSchema) and as source text
 * (generateTypeScript). One table, so the generated module and the runtime schema cannot drift apart.
 */
export const VALUE_SCHEMAS: Record<ValueKind, { source: string; build: () => z.ZodType }> = {
  integer: { source: 'z.number().int()', build: () => z.number().int() },
  // DuckDB's Node API returns 64-bit and wider integers as bigint; JSON APIs return numbers.
  bigint: { source: 'z.union([z.bigint(), z.number().int()])', build: () => z.union([z.bigint(), z.number().int()]) },
  float: { source: 'z.number()', build: () => z.number() },
  // Exact decimals may come as text so no digit is lost.
  decimal: { source: 'z.union([z.number(), z.string()])', build: () => z.union([z.number(), z.string()]) },
  string: { source: 'z.string()', build: () => z.string() },
  boolean: { source: 'z.boolean()', build: () => z.boolean() },
  date: { source: 'z.union([z.iso.date(), z.date()])', build: () => z.union([z.iso.date(), z.date()]) },
  timestamp: { source: 'z.union([z.string(), z.date()])', build: () => z.union([z.string(), z.date()]) },
  time: { source: 'z.string()', build: () => z.string() },
  array: { source: 'z.array(z.unknown())', build: () => z.array(z.unknown()) },
  object: { source: 'z.record(z.string(), z.unknown())', build: () => z.record(z.string(), z.unknown()) },
};

const BY_LOGICAL_TYPE: Record<LogicalType, ValueKind> = {
  integer: 'integer',
  number: 'float',
  string: 'string',
  boolean: 'boolean',
  date: 'date',
  timestamp: 'timestamp',
  time: 'time',
  object: 'object',
  array: 'array',
};

const WIDE_INTEGERS = new Set(['BIGINT', 'UBIGINT', 'HUGEINT', 'UHUGEINT']);

/** The value kind of a column: from its DuckDB type when it has one, else from its logical type. */
export function valueKindOf(property: ContractProperty): ValueKind {
  if (property.physicalType === undefined) return BY_LOGICAL_TYPE[property.logicalType];
  const type = normalizeType(property.physicalType);
  if (isListType(type)) return 'array';
  const base = baseTypeName(type);
  if (WIDE_INTEGERS.has(base)) return 'bigint';
  if (base === 'DECIMAL') return 'decimal';
  return BY_LOGICAL_TYPE[logicalTypeOf(type)];
}

/**
 * The values a text column promises (an `invalidValues` rule with validValues, not merely a warning),
 * as the column's type: `'open' | 'paid' | 'delivered'` rather than any string.
 */
export function acceptedValuesOf(property: ContractProperty): [string, ...string[]] | undefined {
  if (valueKindOf(property) !== 'string') return undefined;
  for (const rule of property.quality) {
    if (rule.type !== 'library' || rule.metric !== 'invalidValues' || rule.severity === 'warning' || rule.mustBe !== 0) continue;
    const values = rule.arguments?.validValues;
    if (Array.isArray(values) && values.length && values.every((v): v is string => typeof v === 'string')) return values as [string, ...string[]];
  }
  return undefined;
}

/** The schema source of one column, `.nullable()` unless the contract promises it is never null. */
export function columnSource(property: ContractProperty): string {
  const values = acceptedValuesOf(property);
  const source = values ? `z.enum([${values.map((v) => JSON.stringify(v)).join(', ')}])` : VALUE_SCHEMAS[valueKindOf(property)].source;
  return property.required ? source : `${source}.nullable()`;
}

export function columnSchema(property: ContractProperty): z.ZodType {
  const values = acceptedValuesOf(property);
  const schema = values ? z.enum(values) : VALUE_SCHEMAS[valueKindOf(property)].build();
  return property.required ? schema : schema.nullable();
}

export type RowSchema = z.ZodObject<Record<string, z.ZodType>>;

/**
 * A schema for one row of a model. Not strict: a contract may gain columns without breaking its
 * consumers, so extra keys are dropped rather than rejected.
 */
export function rowSchema(model: ContractModel): RowSchema {
  return z.object(Object.fromEntries(model.properties.map((p) => [p.name, columnSchema(p)])));
}

/** A row schema per consumer target, keyed by the name the generated module exports it as. */
export function contractSchemas(contract: Contract): Record<string, RowSchema> {
  return Object.fromEntries(namedTargets(contract).map((t) => [t.valueName, rowSchema(t.model)]));
}
