/** The 1-based line of the first match of a pattern, for errors about a call inside a SQL file. */
export function lineOfText(text: string, needle: RegExp): number | undefined {
  const m = needle.exec(text);
  if (!m) return undefined;
  return text.slice(0, m.index).split('\n').length;
}

/** The line of a key in a config() call: `unique_key='id'` or `'unique_key': 'id'`. */
export function configKeyLine(text: string, key: string): number | undefined {
  const escaped = key.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
  return lineOfText(text, new RegExp(`\\b${escaped}\\s*=(?!=)|['"]${escaped}['"]\\s*:`));
}
