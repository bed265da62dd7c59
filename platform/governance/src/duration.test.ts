import { describe, expect, it } from 'vitest';
import { parseDuration, tryParseDuration } from './duration';

describe('parseDuration', () => {
  it('reads the units SLOs are written in', () => {
    expect(parseDuration('90m')).toBe(90 * 60_000);
    expect(parseDuration('24h')).toBe(86_400_000);
    expect(parseDuration('2d')).toBe(2 * 86_400_000);
    expect(parseDuration('1w')).toBe(7 * 86_400_000);
    expect(parseDuration('30s')).toBe(30_000);
    expect(parseDuration('500ms')).toBe(500);
    expect(parseDuration('1h30m')).toBe(90 * 60_000);
    expect(parseDuration('1.5h')).toBe(90 * 60_000);
  });

  it('refuses what is not a duration', () => {
    for (const text of ['', '24', 'h', '24 hours', '2days', '-1h', '1h 30m', '1y']) expect(tryParseDuration(text)).toBeUndefined();
    expect(() => parseDuration('24 hours')).toThrow("'24 hours' is not a duration (expected a number and a unit: 90m, 24h, 2d)");
  });
});
