/** Durations as SLOs are written: `90m`, `24h`, `2d`, `1h30m`, `500ms`. */

const UNIT_MS = { ms: 1, s: 1_000, m: 60_000, h: 3_600_000, d: 86_400_000, w: 604_800_000 } as const;
const PART = /(\d+(?:\.\d+)?)(ms|s|m|h|d|w)/y;

/** Milliseconds in a duration, or undefined when the text is not one. */
export function tryParseDuration(text: string): number | undefined {
  const trimmed = text.trim();
  if (!trimmed) return undefined;
  let total = 0;
  PART.lastIndex = 0;
  while (PART.lastIndex < trimmed.length) {
    const at = PART.lastIndex;
    const m = PART.exec(trimmed);
    // A sticky regex that fails resets lastIndex to 0; compare with where it started to stop.
    if (!m || m.index !== at) return undefined;
    total += Number(m[1]) * UNIT_MS[m[2] as keyof typeof UNIT_MS];
  }
  return total;
}

/** Milliseconds in a duration such as `24h`; throws on anything else (schemas check first). */
export function parseDuration(text: string): number {
  const ms = tryParseDuration(text);
  if (ms === undefined) throw new RangeError(`'${text}' is not a duration (expected a number and a unit: 90m, 24h, 2d)`);
  return ms;
}

export const DURATION_HINT = 'a number and a unit (ms, s, m, h, d, w), such as 90m, 24h, 2d or 1h30m';
