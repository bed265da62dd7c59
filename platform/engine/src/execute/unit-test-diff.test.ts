import { describe, expect, it } from 'vitest';
import { pairDifferences, renderUnitTestDiff } from './unit-test-diff';

describe("a failing unit test's rows, drawn as dbt draws them", () => {
  it('pairs a changed row by its key and marks the row only one side has', () => {
    const diff = pairDifferences(['customer_id', 'name', 'orders', 'total'], [['2', 'Bob', '1', '5.0'], ['3', 'Cy', '0', null]], [['2', 'Bob', '1', '7.0']], [], false);
    // What dbt-core 1.12 printed for the same rows.
    expect(renderUnitTestDiff(diff)).toBe([
      '@@ ,customer_id,name,orders,total',
      '→  ,2          ,Bob ,1     ,5.0→7.0',
      '---,3          ,Cy  ,0     ,null',
    ].join('\n'));
  });

  it('shows an equal row next to a change as context, and equal rows further away as ...', () => {
    const same = [['1', 'a'], ['3', 'c'], ['4', 'd'], ['5', 'e']];
    const diff = pairDifferences(['id', 'name'], [['2', 'b'], ['7', 'g']], [['2', 'x'], ['8', 'h']], same, false);
    expect(renderUnitTestDiff(diff)).toBe([
      '@@ ,id ,name',
      '   ,1  ,a',
      '→  ,2  ,b→x',
      '   ,3  ,c',
      '...,...,...',
      '   ,5  ,e',
      '---,7  ,g',
      '+++,8  ,h',
    ].join('\n'));
    const small = pairDifferences(['country', 'customers'], [['NL', '1']], [['NL', '2']], [['DE', '1']], false);
    expect(renderUnitTestDiff(small)).toBe(['@@,country,customers', '  ,DE     ,1', '→ ,NL     ,1→2'].join('\n'));
  });
});
