/**
 * The line of a model's file that a line of its compiled SQL came from. Rendering changes lines (refs
 * become quoted relation names, `{% if %}` blocks vanish, ephemeral models arrive as CTEs on top), so
 * the two texts are aligned line by line on what rendering leaves alone: each line without its Jinja
 * and without quoted names, lower case, spaces collapsed. A compiled line that matches no file line
 * is placed between the aligned lines around it.
 */

const normalize = (line: string, template: boolean): string =>
  (template ? line.replace(/\{\{[\s\S]*?\}\}|\{%[\s\S]*?%\}|\{#[\s\S]*?#\}/g, ' ') : line.replace(/"[^"]*"(\s*\.\s*"[^"]*")*/g, ' '))
    .toLowerCase()
    .replace(/\s+/g, ' ')
    .trim();

/** 1-based line of `raw` for 1-based `compiledLine` of `compiled`; undefined when nothing aligns. */
export function sourceLine(compiled: string, raw: string, compiledLine: number): number | undefined {
  const c = compiled.split('\n').map((l) => normalize(l, false));
  const r = raw.split('\n').map((l) => normalize(l, true));
  const n = c.length;
  const m = r.length;
  if (compiledLine < 1 || compiledLine > n || n * m > 4_000_000) return undefined;
  // Longest common subsequence of non-empty normalized lines.
  const dp = Array.from({ length: n + 1 }, () => new Uint32Array(m + 1));
  for (let i = n - 1; i >= 0; i--) {
    for (let j = m - 1; j >= 0; j--) {
      dp[i]![j] = c[i] && c[i] === r[j] ? dp[i + 1]![j + 1]! + 1 : Math.max(dp[i + 1]![j]!, dp[i]![j + 1]!);
    }
  }
  const pairs: Array<[number, number]> = [];
  for (let i = 0, j = 0; i < n && j < m;) {
    if (c[i] && c[i] === r[j]) {
      pairs.push([i, j]);
      i++;
      j++;
    } else if (dp[i + 1]![j]! >= dp[i]![j + 1]!) i++;
    else j++;
  }
  const target = compiledLine - 1;
  const exact = pairs.find(([i]) => i === target);
  if (exact) return exact[1] + 1;
  const before = pairs.filter(([i]) => i < target).at(-1);
  const after = pairs.find(([i]) => i > target);
  if (!before && !after) return undefined;
  if (!before) return Math.max(1, after![1] - (after![0] - target) + 1);
  const guess = before[1] + (target - before[0]);
  return Math.min(guess, after ? after[1] - 1 : m - 1) + 1;
}

/** The column in the file line of the word at `column` in the compiled line, when the word is there too. */
export function sourceColumn(compiledLineText: string, rawLineText: string, column: number): number | undefined {
  const at = column - 1;
  const word = /[A-Za-z0-9_]+/g;
  let hit: string | undefined;
  for (const m of compiledLineText.matchAll(word)) if (m.index! <= at && at < m.index! + m[0].length) hit = m[0];
  if (!hit) return undefined;
  const found = new RegExp(`\\b${hit}\\b`).exec(rawLineText);
  return found ? found.index + 1 : undefined;
}
