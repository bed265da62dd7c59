import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { parse } from 'yaml';
import { z } from 'zod';

/** The committed list of real public dbt projects the engine is measured on. */
export const CORPUS_FILE = fileURLToPath(new URL('../../dbt-corpus.yml', import.meta.url));

const Generate = z.strictObject({
  /** The generator's PyPI package, pinned (`jafgen==0.4.14`); installed into a venv of the cache. */
  pip: z.string().regex(/^[A-Za-z0-9_.-]+==[A-Za-z0-9_.-]+$/, 'a pinned requirement: name==version'),
  run: z.array(z.string()).min(1),
  /** The folder the generator writes, relative to the empty folder it runs in. */
  output: z.string(),
  /** The checkout's folder the files named in `keep` are copied to, replacing the repository's. */
  into: z.string(),
  keep: z.array(z.string()).min(1),
});

export const CorpusProject = z.strictObject({
  id: z.string().regex(/^[A-Za-z0-9_.-]+$/),
  repo: z.string().regex(/^[A-Za-z0-9_.-]+\/[A-Za-z0-9_.-]+$/),
  commit: z.string().regex(/^[0-9a-f]{40}$/),
  dir: z.string().default('.'),
  warehouse: z.string(),
  data: z.string(),
  generate: Generate.optional(),
  steps: z.array(z.array(z.string()).min(1)).min(1).default([['build']]),
  dbtFlags: z.array(z.string()).default([]),
  upstream: z.string().optional(),
  attach: z.record(z.string(), z.string()).default({}),
  excluded: z.string().optional(),
});
export type CorpusProject = z.infer<typeof CorpusProject>;

export const Corpus = z
  .strictObject({
    /** dbt Hub package name (`dbt-labs/dbt_utils`) -> the GitHub repository its releases are tags of. */
    hub: z.record(z.string(), z.string()),
    projects: z.array(CorpusProject).min(1),
  })
  .superRefine((corpus, ctx) => {
    const ids = new Set<string>();
    corpus.projects.forEach((p, i) => {
      if (ids.has(p.id)) ctx.addIssue({ code: 'custom', path: ['projects', i, 'id'], message: `duplicate id '${p.id}'` });
      ids.add(p.id);
    });
    corpus.projects.forEach((p, i) => {
      const up = p.upstream && corpus.projects.find((q) => q.id === p.upstream);
      if (p.upstream && !up) ctx.addIssue({ code: 'custom', path: ['projects', i, 'upstream'], message: `no project '${p.upstream}'` });
      if (up && (up.repo !== p.repo || up.commit !== p.commit)) {
        ctx.addIssue({ code: 'custom', path: ['projects', i, 'upstream'], message: `'${p.upstream}' must be of the same repository and commit` });
      }
    });
  });
export type Corpus = z.infer<typeof Corpus>;

export function loadCorpus(path = CORPUS_FILE): Corpus {
  const result = Corpus.safeParse(parse(readFileSync(path, 'utf8')));
  if (!result.success) {
    const issues = result.error.issues.map((i) => `  ${i.path.join('.')}: ${i.message}`).join('\n');
    throw new Error(`${path} is not a valid corpus file:\n${issues}`);
  }
  return result.data;
}
