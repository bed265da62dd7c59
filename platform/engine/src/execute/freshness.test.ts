import { describe, expect, it } from 'vitest';
import { tableFreshness } from '../parse/source-freshness';
import { freshnessStatus } from './freshness';

const H = 3600;

describe('freshness thresholds', () => {
  const rule = { warn_after: { count: 12, period: 'hour' as const }, error_after: { count: 2, period: 'day' as const } };

  it('passes up to warn_after, warns past it, errors past error_after (strictly older, as dbt)', () => {
    expect(freshnessStatus(rule, 12 * H)).toBe('pass');
    expect(freshnessStatus(rule, 12 * H + 1)).toBe('warn');
    expect(freshnessStatus(rule, 48 * H)).toBe('warn');
    expect(freshnessStatus(rule, 48 * H + 1)).toBe('error');
    expect(freshnessStatus({ error_after: { count: 30, period: 'minute' } }, 31 * 60)).toBe('error');
  });

  it("merges a table's thresholds over its source's; freshness: null switches them off", () => {
    const source = { name: 's', tables: [], freshness: { warn_after: { count: 1, period: 'day' as const }, error_after: { count: 3, period: 'day' as const } } };
    expect(tableFreshness(source, { name: 't' })).toEqual(source.freshness);
    expect(tableFreshness(source, { name: 't', freshness: { warn_after: { count: 6, period: 'hour' } } })).toEqual({ warn_after: { count: 6, period: 'hour' }, error_after: { count: 3, period: 'day' } });
    expect(tableFreshness(source, { name: 't', freshness: null })).toBeNull();
    expect(tableFreshness({ name: 's', tables: [] }, { name: 't', config: { freshness: { error_after: { count: 1, period: 'hour' } } } })).toEqual({ error_after: { count: 1, period: 'hour' } });
    expect(tableFreshness({ name: 's', tables: [] }, { name: 't' })).toBeUndefined();
  });
});
