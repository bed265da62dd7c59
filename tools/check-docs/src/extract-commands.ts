import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fromMarkdown } from 'mdast-util-from-markdown';

/** A command as a page shows it, with where it stands and the folder it runs in. */
export interface ShownCommand {
  file: string;
  line: number;
  /** One command line, continuation lines joined, comments kept (the shell drops them). */
  text: string;
  /**
   * `block`: a line of a fenced `sh`/`bash`/`shell` block, to be pasted as it is. `inline`: a `code` span in
   * the prose naming a command (`mesh schedule --once`), which must name real subcommands and options.
   */
  kind: 'block' | 'inline';
  /** The folder, relative to the repository root, that the block's `cd` lines before it moved to. */
  cwd: string;
}

const SHELL = new Set(['sh', 'bash', 'shell']);
/** Programs an inline span must start with to be taken as a command rather than a name or a value. */
const INLINE_PROGRAMS = /^(pnpm|mesh|npm|npx|bash|curl|nx) /;

interface MdNode {
  type: string;
  value?: string;
  lang?: string | null;
  position?: { start: { line: number } };
  children?: MdNode[];
}

function* walk(node: MdNode): Generator<MdNode> {
  yield node;
  for (const child of node.children ?? []) yield* walk(child);
}

/** The lines of a shell block as commands: `\` continuations joined, blank and comment-only lines left out. */
function blockCommands(file: string, code: string, firstLine: number): ShownCommand[] {
  const out: ShownCommand[] = [];
  const lines = code.split('\n');
  let cwd = '.';
  for (let i = 0; i < lines.length; i++) {
    const start = i;
    let text = lines[i]!;
    while (text.trimEnd().endsWith('\\') && i + 1 < lines.length) text = `${text.trimEnd().slice(0, -1)} ${lines[++i]!.trim()}`;
    const trimmed = text.trim();
    if (!trimmed || trimmed.startsWith('#')) continue;
    out.push({ file, line: firstLine + 1 + start, text: trimmed, kind: 'block', cwd });
    const cd = /^cd\s+(\S+)\s*(?:#.*)?$/.exec(trimmed);
    if (cd) cwd = cwd === '.' ? cd[1]! : `${cwd}/${cd[1]!}`;
  }
  return out;
}

/** Every command a Markdown page shows, in page order. */
export function shownCommands(file: string, markdown: string): ShownCommand[] {
  const tree = fromMarkdown(markdown) as MdNode;
  const out: ShownCommand[] = [];
  for (const node of walk(tree)) {
    const line = node.position?.start.line ?? 0;
    if (node.type === 'code' && node.lang && SHELL.has(node.lang)) out.push(...blockCommands(file, node.value ?? '', line));
    if (node.type === 'inlineCode' && INLINE_PROGRAMS.test(node.value ?? '')) out.push({ file, line, text: node.value!, kind: 'inline', cwd: '.' });
  }
  return out;
}

/** The pages whose commands must work: the root README and every page in docs/. */
export function pageCommands(root: string): ShownCommand[] {
  const pages = ['README.md', ...readdirSync(join(root, 'docs')).filter((f) => f.endsWith('.md')).sort().map((f) => `docs/${f}`)];
  return pages.flatMap((page) => shownCommands(page, readFileSync(join(root, page), 'utf8')));
}
