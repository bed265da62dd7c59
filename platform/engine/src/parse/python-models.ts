/**
 * The configs a python model sets on itself (`dbt.config(materialized="table", enabled=False)`), read
 * without running it: enough to know whether dbt would leave the model out.
 */
export function pythonConfigCalls(text: string): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const call of text.matchAll(/\bdbt\.config\(([\s\S]*?)\)/g)) {
    for (const arg of call[1]!.matchAll(/\b([A-Za-z_][A-Za-z0-9_]*)\s*=\s*(True|False|"[^"]*"|'[^']*')/g)) {
      const raw = arg[2]!;
      out[arg[1]!] = raw === 'True' ? true : raw === 'False' ? false : raw.slice(1, -1);
    }
  }
  return out;
}
