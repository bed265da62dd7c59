/** How the page words numbers and times: the reader's locale for dates, plain thousands separators for counts. */

export const count = (n: number) => n.toLocaleString('en-US');

export const plural = (n: number, one: string, many = `${one}s`) => `${count(n)} ${n === 1 ? one : many}`;

export function absolute(iso: string | null): string | null {
  return iso ? new Date(iso).toLocaleString() : null;
}

/** "3 min ago", "yesterday": how long ago, from the reader's clock. */
export function ago(iso: string | null, now = Date.now()): string | null {
  if (!iso) return null;
  const s = Math.max(0, (now - Date.parse(iso)) / 1000);
  if (s < 45) return 'just now';
  if (s < 90 * 60) return `${Math.round(s / 60)} min ago`;
  if (s < 36 * 3600) return `${Math.round(s / 3600)} h ago`;
  const days = Math.round(s / 86_400);
  return days === 1 ? 'yesterday' : `${days} days ago`;
}
