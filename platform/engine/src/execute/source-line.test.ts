import { describe, expect, it } from 'vitest';
import { sourceColumn, sourceLine } from './source-line';

describe('a compiled line traced back to the model file', () => {
  const raw = [
    "{{ config(materialized='table') }}",
    '{% set statuses = ["shipped", "completed"] %}',
    '-- orders that count',
    'select',
    '  o.order_id,',
    '  o.bogus_column,',
    "  {% if var('with_total', true) %}o.total{% endif %}",
    "from {{ ref('stg_orders') }} as o",
    "where o.status in ('shipped', 'completed')",
  ].join('\n');
  const compiled = [
    'with __dbt__cte__helper as (',
    '  select 1 as x',
    ')',
    '',
    '',
    '-- orders that count',
    'select',
    '  o.order_id,',
    '  o.bogus_column,',
    '  o.total',
    'from "shop"."silver"."stg_orders" as o',
    "where o.status in ('shipped', 'completed')",
  ].join('\n');

  it('finds the file line of a compiled line past ephemeral CTEs and vanished Jinja blocks', () => {
    expect(sourceLine(compiled, raw, 9)).toBe(6);
    expect(sourceLine(compiled, raw, 11)).toBe(8);
    expect(sourceLine(compiled, raw, 12)).toBe(9);
  });

  it('places a line rendering changed between the aligned lines around it', () => {
    expect(sourceLine(compiled, raw, 10)).toBe(7);
  });

  it('finds the column of the word under the caret', () => {
    expect(sourceColumn('  o.bogus_column,', '  o.bogus_column,', 6)).toBe(5);
    expect(sourceColumn('from "shop"."silver"."stg_orders" as o', "from {{ ref('stg_orders') }} as o", 25)).toBe(14);
  });
});
