import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { MeshError } from '@mesh/errors';
import { resolveTarget, type ParsedProject } from '@mesh/engine';
import type { ConsumerView } from './consumer-view';
import { publicationFacts, type PublishedManifest } from './published-manifest';

/**
 * How a consumer reads an upstream's publication, by the engines of both:
 * - `attach`: a database file (DuckDB publications, DuckDB consumers);
 * - `in-place`: share schemas inside the one engine both build on (PostgreSQL, Trino), no copy;
 * - `import`: a Trino share read as the consumer's Trino user and written to a DuckDB file, for a
 *   DuckDB consumer of a Trino domain.
 */
export type UpstreamReading = 'attach' | 'in-place' | 'import';

/** Engines whose publications live inside the engine, as share schemas, rather than in files. */
const IN_ENGINE = new Set(['postgres', 'trino']);

interface Source {
  name: string;
}

export function upstreamReading(source: Source, manifest: PublishedManifest, parsed: ParsedProject): UpstreamReading {
  // dbt writes adapter_type on every manifest; one without it was built on the default engine.
  const producer = manifest.metadata.adapter_type ?? 'duckdb';
  const consumer = parsed.target.type;
  if (!IN_ENGINE.has(producer) && !IN_ENGINE.has(consumer)) return 'attach';
  if (producer === consumer) return 'in-place';
  if (producer === 'trino' && consumer === 'duckdb') return 'import';
  const refuse = (why: string, hint: string) => new MeshError('E_UPSTREAM_ENGINE', `${parsed.name} builds on ${consumer}, but upstream '${source.name}' publishes on ${producer}: ${why}`, {
    location: { file: parsed.files.projectFilePath },
    hint,
  });
  if (!IN_ENGINE.has(producer)) {
    throw refuse(
      consumer === 'trino'
        ? "a DuckDB publication is a file on the producer's machine, which no Trino worker can read, and the cluster loads no DuckDB connector"
        : 'a DuckDB publication is a file, which the PostgreSQL server cannot read',
      `Build '${source.name}' on the same ${consumer === 'trino' ? 'Trino cluster (a trino target)' : 'PostgreSQL server (a postgres target)'}, or build ${parsed.name} on DuckDB.`,
    );
  }
  throw refuse(
    `its shares are schemas inside ${producer}, readable only there`,
    producer === 'postgres'
      ? `Build ${parsed.name} on the PostgreSQL server '${source.name}' publishes to (a postgres target), or have '${source.name}' publish on DuckDB.`
      : `Build ${parsed.name} on the Trino cluster '${source.name}' publishes to (a trino target), or on DuckDB, which reads a Trino share as a copy.`,
  );
}

/**
 * The consumer's share of a Trino upstream, as a DuckDB file in `target/upstreams/<name>/`. Read as the
 * consumer's own Trino user (a trino target in its project file, not the one it builds on), so Trino
 * refuses what the producer did not grant. A share schema is pinned to snapshots and named per
 * publication, so a file once written for it is the share and is not read again.
 */
export async function importTrinoShare(source: Source, manifest: PublishedManifest, view: ConsumerView, parsed: ParsedProject, cacheDir: string): Promise<string | undefined> {
  if (!view.schema || !view.catalog) return undefined;
  const destination = join(cacheDir, source.name, `${view.schema}.duckdb`);
  if (existsSync(destination)) return destination;
  const project = parsed.files.project;
  const name = Object.entries(project.targets ?? {}).find(([, t]) => t.type === 'trino')?.[0];
  if (!name) {
    throw new MeshError('E_UPSTREAM_ENGINE', `${parsed.name} builds on duckdb and reads upstream '${source.name}' from Trino, but has no Trino user to read it as`, {
      location: { file: parsed.files.projectFilePath },
      hint: `Add a trino target (type: trino, host:, port:, user: ${parsed.name}, password_env:) under targets: in ${parsed.files.projectFilePath}; the build stays on its own target.`,
    });
  }
  const trino = resolveTarget(project, parsed.root, name).trino!;
  const granted = publicationFacts(manifest).nodes.filter((n) => !view.refused.has(n.unique_id));
  const { importShare } = await import('@mesh/adapter-trino');
  await importShare({
    target: trino,
    relations: granted.map((n) => ({ from: { database: view.catalog!, schema: view.schema!, identifier: n.alias }, into: { schema: n.schema, identifier: n.alias } })),
    destination,
  });
  return destination;
}
