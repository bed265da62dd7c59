/**
 * dbt renders the Jinja in configs of dbt_project.yml and of properties files when it reads them, natively
 * (`+enabled: "{{ var('with_legacy', false) }}"` becomes a boolean), except hooks, which it renders when they
 * run, in the context of the node they belong to.
 */

const DEFERRED = new Set(['pre-hook', 'post-hook', '+pre-hook', '+post-hook', 'pre_hook', 'post_hook', '+pre_hook', '+post_hook']);

const isJinja = (text: string) => text.includes('{{') || text.includes('{%');

/** Whether any string of the tree holds Jinja (most trees have none: they are returned as they are). */
function hasJinja(value: unknown, deferred: boolean): boolean {
  if (deferred) return false;
  if (typeof value === 'string') return isJinja(value);
  if (Array.isArray(value)) return value.some((v) => hasJinja(v, false));
  if (value && typeof value === 'object') return Object.entries(value).some(([k, v]) => hasJinja(v, DEFERRED.has(k)));
  return false;
}

/** A copy of `tree` with each string holding Jinja rendered by `render(text, path)`; hooks are left as written. */
export function renderConfigTree<T>(tree: T, render: (text: string, path: Array<string | number>) => unknown): T {
  if (tree === undefined || tree === null || !hasJinja(tree, false)) return tree;
  const walk = (value: unknown, path: Array<string | number>): unknown => {
    if (typeof value === 'string') return isJinja(value) ? render(value, path) : value;
    if (Array.isArray(value)) return value.map((v, i) => walk(v, [...path, i]));
    if (value && typeof value === 'object') {
      const out: Record<string, unknown> = {};
      for (const [k, v] of Object.entries(value)) out[k] = DEFERRED.has(k) ? v : walk(v, [...path, k]);
      return out;
    }
    return value;
  };
  return walk(tree, []) as T;
}
