import { closeSync, mkdirSync, openSync, renameSync, writeSync } from 'node:fs';
import { dirname } from 'node:path';

/** Characters gathered before a write: few system calls, and never a string the size of the file. */
const CHUNK_CHARS = 1 << 20;

function isPlainObject(value: unknown): value is Record<string, unknown> {
  if (value === null || typeof value !== 'object' || Array.isArray(value)) return false;
  const proto: unknown = Object.getPrototypeOf(value);
  return (proto === Object.prototype || proto === null) && typeof (value as { toJSON?: unknown }).toJSON !== 'function';
}

/** Appends text to a file descriptor a megabyte at a time. */
class ChunkedWriter {
  private parts: string[] = [];
  private chars = 0;

  constructor(private readonly fd: number) {}

  push(text: string): void {
    this.parts.push(text);
    this.chars += text.length;
    if (this.chars >= CHUNK_CHARS) this.flush();
  }

  flush(): void {
    if (!this.parts.length) return;
    writeSync(this.fd, this.parts.join(''));
    this.parts = [];
    this.chars = 0;
  }
}

/**
 * Writes what JSON.stringify(value) gives, byte for byte, opening plain objects key by key down to `depth`
 * levels. A manifest's node map so goes out one node at a time instead of as one 45 MB string (and its
 * UTF-8 copy): those transient copies were what pushed a large compile into a full garbage collection.
 */
function writeValue(out: ChunkedWriter, value: unknown, depth: number): void {
  if (depth <= 0 || !isPlainObject(value)) {
    out.push(JSON.stringify(value));
    return;
  }
  out.push('{');
  let first = true;
  for (const key of Object.keys(value)) {
    const entry = value[key];
    // As JSON.stringify does: a key whose value has no JSON form is left out.
    if (entry === undefined || typeof entry === 'function' || typeof entry === 'symbol') continue;
    out.push(first ? `${JSON.stringify(key)}:` : `,${JSON.stringify(key)}:`);
    first = false;
    writeValue(out, entry, depth - 1);
  }
  out.push('}');
}

/** Compact JSON (as dbt writes it) to `path` atomically: a temporary file, then a rename. */
export function writeJsonAtomic(path: string, value: unknown, depth = 2): void {
  mkdirSync(dirname(path), { recursive: true });
  const tmp = `${path}.tmp`;
  const fd = openSync(tmp, 'w');
  try {
    const out = new ChunkedWriter(fd);
    writeValue(out, value, depth);
    out.flush();
  } finally {
    closeSync(fd);
  }
  renameSync(tmp, path);
}
