import { writeFileSync } from 'node:fs';
import { Session } from 'node:inspector/promises';
import { fileURLToPath } from 'node:url';

/**
 * The V8 sampling profiler that `node --cpu-prof` uses, started and stopped around one call, so the profile
 * holds the compile and not tsx's start-up or the project generator. The .cpuprofile it writes opens in
 * Chrome DevTools (Performance tab) or speedscope; `summarize` gives the text version for a terminal.
 */

interface CallFrame {
  functionName: string;
  url: string;
  lineNumber: number;
}

interface ProfileNode {
  id: number;
  callFrame: CallFrame;
  children?: number[];
}

export interface CpuProfile {
  nodes: ProfileNode[];
  startTime: number;
  endTime: number;
  samples: number[];
  timeDeltas: number[];
}

export async function profile<T>(fn: () => Promise<T> | T, outFile?: string): Promise<{ value: T; profile: CpuProfile }> {
  const session = new Session();
  session.connect();
  try {
    await session.post('Profiler.enable');
    // 200 µs: fine enough to see the per-file functions of a 10-second compile, small enough to stay cheap.
    await session.post('Profiler.setSamplingInterval', { interval: 200 });
    await session.post('Profiler.start');
    const value = await fn();
    const { profile: result } = (await session.post('Profiler.stop')) as unknown as { profile: CpuProfile };
    if (outFile) writeFileSync(outFile, JSON.stringify(result));
    return { value, profile: result };
  } finally {
    session.disconnect();
  }
}

/** Where a frame's code lives, short: `engine/parse/jinja.ts`, `nunjucks`, `yaml`, `zod`, `node:fs`. */
export function moduleOf(url: string): string {
  if (!url) return '(native / V8)';
  const path = url.startsWith('file://') ? fileURLToPath(url) : url;
  const pkg = /node_modules\/(?:\.pnpm\/[^/]+\/node_modules\/)?((?:@[^/]+\/)?[^/]+)\//.exec(path);
  if (pkg) return pkg[1]!;
  const own = /\/(platform|packages|tools)\/([^/]+)\/src\/(.+)$/.exec(path);
  if (own) return `${own[2]}/${own[3]}`;
  if (path.startsWith('node:')) return path;
  return path;
}

export interface Row {
  label: string;
  ms: number;
  share: number;
}

export interface Summary {
  totalMs: number;
  /** Self time grouped by module (package or own source file). */
  byModule: Row[];
  /** Self time per function. */
  selfByFunction: Row[];
  /** Inclusive time of the project's own functions (a sample counts once per distinct function on its stack). */
  inclusiveOwn: Row[];
}

export function summarize(p: CpuProfile, top = 20): Summary {
  const byId = new Map(p.nodes.map((n) => [n.id, n]));
  const parent = new Map<number, number>();
  for (const n of p.nodes) for (const c of n.children ?? []) parent.set(c, n.id);
  // Native frames (fs writes, JSON.stringify, regexps) have no URL; charge them to the JS module that called them.
  const caller = (id: number): CallFrame | undefined => {
    for (let at = parent.get(id); at !== undefined; at = parent.get(at)) {
      const f = byId.get(at)!.callFrame;
      if (f.url) return f;
    }
    return undefined;
  };
  // tsx-transformed TypeScript reports line 1 for everything; only plain JS files get a useful line.
  const where = (f: CallFrame) => `${moduleOf(f.url)}${f.url.endsWith('.ts') ? '' : `:${f.lineNumber + 1}`}`;
  const label = (id: number) => {
    const f = byId.get(id)!.callFrame;
    if (f.url) return `${f.functionName || '(anonymous)'} ${where(f)}`;
    const via = caller(id);
    return `${f.functionName || '(anonymous)'} (native${via ? `, from ${where(via)}` : ''})`;
  };
  // Profiler.stop's own work (serialising the profile) is sampled too; it is not the code under test.
  const underInspector = (id: number): boolean => {
    for (let at: number | undefined = id; at !== undefined; at = parent.get(at)) {
      if (byId.get(at)!.callFrame.url === 'node:inspector') return true;
    }
    return false;
  };
  const self = new Map<string, number>();
  const byModule = new Map<string, number>();
  const inclusive = new Map<string, number>();
  let total = 0;
  for (let i = 0; i < p.samples.length; i++) {
    const dt = (p.timeDeltas[i] ?? 0) / 1000;
    const node = byId.get(p.samples[i]!)!;
    const name = node.callFrame.functionName;
    if (name === '(idle)' || underInspector(node.id)) continue;
    total += dt;
    const key = label(node.id);
    self.set(key, (self.get(key) ?? 0) + dt);
    let mod: string;
    if (name === '(garbage collector)' || name === '(program)') mod = name;
    else if (node.callFrame.url) mod = moduleOf(node.callFrame.url);
    else {
      const via = caller(node.id);
      mod = `${via ? moduleOf(via.url) : '(V8)'} (native)`;
    }
    byModule.set(mod, (byModule.get(mod) ?? 0) + dt);
    const seen = new Set<string>();
    for (let id: number | undefined = node.id; id !== undefined; id = parent.get(id)) {
      const f = byId.get(id)!.callFrame;
      if (!/\/(platform|packages)\//.test(f.url)) continue;
      const k = label(id);
      if (seen.has(k)) continue;
      seen.add(k);
      inclusive.set(k, (inclusive.get(k) ?? 0) + dt);
    }
  }
  const rows = (m: Map<string, number>): Row[] =>
    [...m].sort((a, b) => b[1] - a[1]).slice(0, top).map(([label, ms]) => ({ label, ms, share: total ? ms / total : 0 }));
  return { totalMs: total, byModule: rows(byModule), selfByFunction: rows(self), inclusiveOwn: rows(inclusive) };
}
