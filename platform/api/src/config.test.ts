import { describe, expect, it } from 'vitest';
import { parseApiConfig, parseSize } from './config';

describe('API limits', () => {
  it('reads sizes as DuckDB writes them, or as bytes', () => {
    expect(parseSize('64MB')).toBe(64_000_000);
    expect(parseSize('16MiB')).toBe(16 * 1024 * 1024);
    expect(parseSize('1.5GB')).toBe(1_500_000_000);
    expect(parseSize('0')).toBe(0);
    expect(parseSize('lots')).toBeUndefined();
    expect(parseSize('12 parsecs')).toBeUndefined();
    const limits = (yaml: string) => parseApiConfig('governance/api.yml', `version: 1\nlimits: ${yaml}\n`).limits;
    expect(limits('{page_cache: 0}').page_cache).toBe(0);
    expect(limits('{page_cache: 8MiB, connections: 8}')).toMatchObject({ page_cache: 8 * 1024 * 1024, connections: 8 });
    expect(parseApiConfig('governance/api.yml', 'version: 1\n').limits).toMatchObject({ page_cache: 64_000_000, connections: 4 });
  });

  it('names the key and what it expects when a limit is not valid', () => {
    expect(() => parseApiConfig('governance/api.yml', 'version: 1\nlimits: {page_cache: lots}\n')).toThrow(/limits\.page_cache: expected a size such as 64MB, 1GiB or 0/);
    expect(() => parseApiConfig('governance/api.yml', 'version: 1\nlimits: {connections: 0}\n')).toThrow(/limits\.connections/);
  });
});
