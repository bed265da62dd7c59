import { describe, expect, it } from 'vitest';
import { PageCache, type CachedPage } from './page-cache';

const page = (text: string): CachedPage => ({ body: new Uint8Array(Buffer.from(text)), headers: { 'Content-Type': 'application/json' }, rows: 1, format: 'json' });
const text = (p: CachedPage | undefined) => (p ? Buffer.from(p.body).toString() : undefined);

describe('page cache', () => {
  it('answers a request only under the publication version it was answered in', () => {
    const cache = new PageCache(1 << 20);
    cache.set('v1', 'finance\0orders\0\0order_id=eq.1', page('one'));
    expect(text(cache.get('v1', 'finance\0orders\0\0order_id=eq.1'))).toBe('one');
    expect(cache.get('v2', 'finance\0orders\0\0order_id=eq.1')).toBeUndefined();
    expect(cache.get('v1', 'analysts\0orders\0\0order_id=eq.1')).toBeUndefined();
  });

  it('drops every page of a retired version and keeps the others', () => {
    const cache = new PageCache(1 << 20);
    for (let i = 0; i < 10; i++) cache.set('v1', `q${i}`, page(`old ${i}`));
    cache.set('v2', 'q0', page('new 0'));
    const before = cache.bytes;
    cache.drop('v1');
    expect(cache.size).toBe(1);
    expect(cache.bytes).toBeLessThan(before / 5);
    expect(cache.get('v1', 'q3')).toBeUndefined();
    expect(text(cache.get('v2', 'q0'))).toBe('new 0');
    cache.drop('v2');
    expect(cache.bytes).toBe(0);
  });

  it('stays within its budget, evicting the least recently used first', () => {
    const cache = new PageCache(4000, 4000);
    for (let i = 0; i < 100; i++) {
      cache.set('v', `q${i}`, page('x'.repeat(100)));
      // q0 is asked again and again: it stays while the others come and go.
      expect(cache.get('v', 'q0')).toBeDefined();
      expect(cache.bytes).toBeLessThanOrEqual(4000);
    }
    expect(cache.get('v', 'q99')).toBeDefined();
    expect(cache.get('v', 'q1')).toBeUndefined();
    expect(cache.size).toBeGreaterThan(3);
  });

  it('counts what an entry costs beyond its body, so small pages cannot outgrow the budget', () => {
    const cache = new PageCache(100_000);
    for (let i = 0; i < 10_000; i++) cache.set('v', `request ${i}`, page('{}'));
    expect(cache.size).toBeLessThan(400);
    expect(cache.bytes).toBeLessThanOrEqual(100_000);
  });

  it('keeps no page larger than its largest, and nothing with a budget of 0', () => {
    const cache = new PageCache(10_000, 1000);
    cache.set('v', 'big', page('x'.repeat(2000)));
    expect(cache.get('v', 'big')).toBeUndefined();
    const off = new PageCache(0);
    off.set('v', 'q', page('x'));
    expect(off.get('v', 'q')).toBeUndefined();
    expect(off.bytes).toBe(0);
  });

  it('replaces an entry set twice without counting it twice', () => {
    const cache = new PageCache(1 << 20);
    cache.set('v', 'q', page('first'));
    const once = cache.bytes;
    cache.set('v', 'q', page('other'));
    expect(cache.bytes).toBe(once);
    expect(text(cache.get('v', 'q'))).toBe('other');
  });
});
