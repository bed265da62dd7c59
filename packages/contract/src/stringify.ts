import { Document, Scalar, visit } from 'yaml';
import { z } from 'zod';
import { encodeContract, odcsFileSchema } from './odcs';
import type { Contract } from './schema';

const isEmpty = (value: unknown): boolean => value === null || value === false || (Array.isArray(value) && value.length === 0);

/** A value parsing would put back by itself, and that tells a reader nothing: `tags: []`, `required: false`. */
const isEmptyDefault = (value: unknown, field: z.ZodType): boolean =>
  field instanceof z.ZodDefault && isEmpty(value) && JSON.stringify(value) === JSON.stringify(field.def.defaultValue);

/**
 * Rebuilds a value with the schema's key order, leaving out what parsing would put back: undefined keys
 * and defaults that say nothing (null, false, []). The key order comes from the schema itself, so a field
 * added there is written without touching this code.
 */
function ordered(value: unknown, schema: z.ZodType): unknown {
  if (schema instanceof z.ZodDefault || schema instanceof z.ZodOptional || schema instanceof z.ZodNullable) {
    return value === null || value === undefined ? value : ordered(value, schema.unwrap() as z.ZodType);
  }
  if (schema instanceof z.ZodPipe) return ordered(value, schema.in as z.ZodType);
  // A union's value is ordered as the option it parses as (a quality rule: library, sql or custom).
  if (schema instanceof z.ZodUnion) {
    const option = (schema.options as z.ZodType[]).find((o) => o.safeParse(value).success);
    return option ? ordered(value, option) : value;
  }
  if (schema instanceof z.ZodArray && Array.isArray(value)) {
    return value.map((item: unknown) => ordered(item, schema.element as z.ZodType));
  }
  if (schema instanceof z.ZodObject && value !== null && typeof value === 'object') {
    const source = value as Record<string, unknown>;
    const out: Record<string, unknown> = {};
    for (const [key, field] of Object.entries(schema.shape as Record<string, z.ZodType>)) {
      const item = source[key];
      if (item === undefined) continue;
      if (isEmptyDefault(item, field)) continue;
      out[key] = ordered(item, field);
    }
    return out;
  }
  return value;
}

// Number forms a YAML 1.2 writer leaves plain but the contract reader (js-yaml's core schema) reads as
// numbers: `1_000`, `0b101`, `0x1F`. Strings looking like that are quoted so they come back as strings.
const READS_AS_NUMBER = /^[-+]?(0b[01_]+|0o[0-7_]+|0x[0-9a-fA-F_]+|[0-9][0-9_]*(\.[0-9_]*)?([eE][-+]?[0-9]+)?|\.[0-9_]+([eE][-+]?[0-9]+)?)$/;

/** Stable ODCS YAML for a contract: the same contract always gives the same text, and it parses back equal. */
export function stringifyContract(contract: Contract): string {
  const doc = new Document(ordered(encodeContract(contract), odcsFileSchema));
  visit(doc, {
    Scalar(_key, node) {
      if (typeof node.value === 'string' && READS_AS_NUMBER.test(node.value)) node.type = Scalar.QUOTE_DOUBLE;
    },
  });
  return doc.toString({ lineWidth: 0 });
}
