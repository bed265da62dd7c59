/** The 1-based line of the first match of a pattern, for errors about a call inside a SQL file. */
export function lineOfText(text: string, needle: RegExp): number | undefined {
  const m = needle.exec(text);
  if (!m) return undefined;
  return text.slice(0, m.index).split('\n').length;
}
