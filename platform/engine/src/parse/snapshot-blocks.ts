import { MeshError } from '@mesh/errors';

/** One `{% snapshot name %} ... {% endsnapshot %}` block of a snapshot file. */
export interface SnapshotBlock {
  name: string;
  /**
   * The block's contents, preceded by as many newlines as there are lines before it in the file, so a
   * Jinja error inside it names the file's own line.
   */
  body: string;
  /** The contents as written (dbt's raw_code). */
  raw: string;
  /** Line of the opening tag. */
  line: number;
}

const OPEN = /\{%-?\s*snapshot\b([^%]*?)-?%\}/g;
const CLOSE = /\{%-?\s*endsnapshot\s*-?%\}/g;
const NAME = /^\s*([A-Za-z_][A-Za-z0-9_]*)\s*$/;

function lineAt(text: string, index: number): number {
  let line = 1;
  for (let i = 0; i < index; i++) if (text.charCodeAt(i) === 10) line++;
  return line;
}

/**
 * The snapshot blocks of a file, as dbt's block searcher finds them: text outside the blocks is ignored,
 * a file may hold several, and each needs a name and its `{% endsnapshot %}`.
 */
export function snapshotBlocks(file: string, text: string): SnapshotBlock[] {
  const blocks: SnapshotBlock[] = [];
  OPEN.lastIndex = 0;
  for (let open = OPEN.exec(text); open; open = OPEN.exec(text)) {
    const line = lineAt(text, open.index);
    const name = NAME.exec(open[1] ?? '')?.[1];
    if (!name) {
      throw new MeshError('E_SNAPSHOT_BLOCK', `the snapshot block at line ${line} has no name`, {
        location: { file, line },
        hint: 'Name the snapshot after the tag: {% snapshot orders_snapshot %}; the name is its relation and what ref() takes.',
      });
    }
    const start = open.index + open[0].length;
    CLOSE.lastIndex = start;
    const close = CLOSE.exec(text);
    OPEN.lastIndex = start;
    const nested = OPEN.exec(text);
    if (!close || (nested && nested.index < close.index)) {
      throw new MeshError('E_SNAPSHOT_BLOCK', `{% snapshot ${name} %} has no {% endsnapshot %}`, {
        location: { file, line },
        hint: 'Close each snapshot block with {% endsnapshot %} before the next one begins.',
      });
    }
    const raw = text.slice(start, close.index);
    blocks.push({ name, raw, body: '\n'.repeat(lineAt(text, start) - 1) + raw, line });
    OPEN.lastIndex = close.index + close[0].length;
  }
  return blocks;
}
