import { beforeAll, describe, expect, it } from 'vitest';
import type { z } from 'zod';
import { dbtJsonSchemas, requireOracle } from '@mesh/oracle';
import { catalogTableSchema } from './catalog';
import {
  documentationSchema, genericTestNodeSchema, groupSchema, macroSchema, manifestMetadataSchema, manifestSchema, modelNodeSchema,
  seedNodeSchema, singularTestNodeSchema, snapshotNodeSchema, sourceDefinitionSchema, unitTestSchema,
} from './manifest';
import { runResultSchema } from './run-results';
import { freshnessOutputSchema } from './sources';

/**
 * The zod schemas are dbt's, not a look-alike: every field they declare is one dbt-core 1.12's JSON
 * schema has, and every field dbt requires they require too. Checked against the schemas dbt builds
 * from its artifact classes, so a field dbt adds or renames shows up here first.
 */

type JsonSchema = { properties?: Record<string, JsonSchema>; required?: string[]; anyOf?: JsonSchema[]; additionalProperties?: unknown; title?: string };

let dbt: Record<string, JsonSchema>;

const keys = (schema: z.ZodObject) => Object.keys(schema.shape);
const branch = (union: JsonSchema, title: string) => union.anyOf!.find((b) => b.title === title)!;
const entry = (map: JsonSchema) => map.additionalProperties as JsonSchema;

function conforms(ours: z.ZodObject, theirs: JsonSchema) {
  const declared = keys(ours);
  const known = Object.keys(theirs.properties ?? {});
  return {
    unknownToDbt: declared.filter((k) => !known.includes(k)),
    requiredByDbtMissing: (theirs.required ?? []).filter((k) => !declared.includes(k)),
  };
}

describe("@mesh/artifacts against dbt-core's JSON schemas", () => {
  beforeAll(() => {
    requireOracle();
    dbt = dbtJsonSchemas() as Record<string, JsonSchema>;
  }, 60_000);

  it('manifest v12: the top level, metadata and every kind of node', () => {
    const m = dbt.manifest!;
    const nodes = entry(m.properties!.nodes!);
    const pairs: Array<[string, z.ZodObject, JsonSchema]> = [
      ['manifest', manifestSchema, m],
      ['metadata', manifestMetadataSchema, m.properties!.metadata!],
      ['Model', modelNodeSchema, branch(nodes, 'Model')],
      ['Seed', seedNodeSchema, branch(nodes, 'Seed')],
      ['GenericTest', genericTestNodeSchema, branch(nodes, 'GenericTest')],
      ['SingularTest', singularTestNodeSchema, branch(nodes, 'SingularTest')],
      ['Snapshot', snapshotNodeSchema, branch(nodes, 'Snapshot')],
      ['SourceDefinition', sourceDefinitionSchema, entry(m.properties!.sources!)],
      ['Macro', macroSchema, entry(m.properties!.macros!)],
      ['Documentation', documentationSchema, entry(m.properties!.docs!)],
      ['Group', groupSchema, entry(m.properties!.groups!)],
      ['UnitTestDefinition', unitTestSchema, entry(m.properties!.unit_tests!)],
    ];
    for (const [name, ours, theirs] of pairs) expect(conforms(ours, theirs), name).toEqual({ unknownToDbt: [], requiredByDbtMissing: [] });
  });

  it('run_results v6, catalog v1 and sources v3', () => {
    expect(conforms(runResultSchema, (dbt.run_results!.properties!.results as { items: JsonSchema }).items)).toEqual({ unknownToDbt: [], requiredByDbtMissing: [] });
    expect(conforms(catalogTableSchema, entry(dbt.catalog!.properties!.nodes!))).toEqual({ unknownToDbt: [], requiredByDbtMissing: [] });
    const results = (dbt.sources!.properties!.results as { items: JsonSchema }).items;
    expect(conforms(freshnessOutputSchema, branch(results, 'SourceFreshnessOutput'))).toEqual({ unknownToDbt: [], requiredByDbtMissing: [] });
  });
});
