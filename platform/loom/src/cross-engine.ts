import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { MeshError } from '@mesh/errors';
import { engineOf, importShare, isRegisteredEngine, registeredEngines, resolveTarget, type EnginePlugin, type ParsedProject } from '@mesh/engine';
import type { ConsumerView } from './consumer-view';
import { publicationFacts, type PublishedManifest } from './published-manifest';

/**
 * How a consumer reads an upstream's publication, by what the engines of both declare:
 * - `attach`: a database file (publications of file engines, consumers on file engines: DuckDB);
 * - `in-place`: share schemas inside the one engine both build on (PostgreSQL, Trino), no copy;
 * - `import`: a share of an engine that can copy its shares into a file (Trino), read as the
 *   consumer's own user of that engine and written to a file, for a consumer on a file engine.
 */
export type UpstreamReading = 'attach' | 'in-place' | 'import';

interface Source {
  name: string;
}

const inEngine = (engine: EnginePlugin) => engine.capabilities.shares === 'schemas';
/** `Trino cluster` of `a Trino cluster`: the place without its article. */
const where = (engine: EnginePlugin) => engine.place.replace(/^(a|an|the) /, '');

export function upstreamReading(source: Source, manifest: PublishedManifest, parsed: ParsedProject): UpstreamReading {
  const consumer = engineOf(parsed.target.type);
  const type = publicationFacts(manifest).adapterType;
  if (!isRegisteredEngine(type)) {
    throw new MeshError('E_UPSTREAM_ENGINE', `upstream '${source.name}' publishes on ${type}, an engine this installation does not have`, {
      location: { file: parsed.files.projectFilePath },
      hint: `Register the ${type} engine's adapter package in @mesh/engines, or have '${source.name}' publish on one of: ${registeredEngines().map((e) => e.type).join(', ')}.`,
    });
  }
  const producer = engineOf(type);
  if (!inEngine(producer) && !inEngine(consumer)) return 'attach';
  if (producer.type === consumer.type) return 'in-place';
  if (producer.capabilities.shareImport && !inEngine(consumer)) return 'import';
  const refuse = (why: string, hint: string) => new MeshError('E_UPSTREAM_ENGINE', `${parsed.name} builds on ${consumer.type}, but upstream '${source.name}' publishes on ${producer.type}: ${why}`, {
    location: { file: parsed.files.projectFilePath },
    hint,
  });
  const fileEngines = registeredEngines().filter((e) => !inEngine(e)).map((e) => e.title);
  if (!inEngine(producer)) {
    throw refuse(
      `a ${producer.title} publication is a file on the producer's machine, which ${consumer.place} cannot read`,
      `Build '${source.name}' on the same ${where(consumer)} (a ${consumer.type} target), or build ${parsed.name} on ${fileEngines.join(' or ')}.`,
    );
  }
  throw refuse(
    `its shares are schemas inside ${producer.place}, readable only there`,
    producer.capabilities.shareImport
      ? `Build ${parsed.name} on the ${where(producer)} '${source.name}' publishes to (a ${producer.type} target), or on ${fileEngines.join(' or ')}, which reads its share as a copy.`
      : `Build ${parsed.name} on the ${where(producer)} '${source.name}' publishes to (a ${producer.type} target), or have '${source.name}' publish on ${fileEngines.join(' or ')}.`,
  );
}

/**
 * The consumer's share of an upstream on an engine that copies shares into files (Trino), as a
 * database file in `target/upstreams/<name>/`. Read as the consumer's own user of that engine (a target
 * of that type in its project file, not the one it builds on), so the engine refuses what the producer
 * did not grant. A share schema is pinned to snapshots and named per publication, so a file once
 * written for it is the share and is not read again.
 */
export async function importUpstreamShare(source: Source, manifest: PublishedManifest, view: ConsumerView, parsed: ParsedProject, cacheDir: string): Promise<string | undefined> {
  if (!view.schema || !view.catalog) return undefined;
  const destination = join(cacheDir, source.name, `${view.schema}.duckdb`);
  if (existsSync(destination)) return destination;
  const project = parsed.files.project;
  const producer = engineOf(publicationFacts(manifest).adapterType);
  const name = Object.entries(project.targets ?? {}).find(([, t]) => t.type === producer.type)?.[0];
  if (!name) {
    throw new MeshError('E_UPSTREAM_ENGINE', `${parsed.name} builds on ${parsed.target.type} and reads upstream '${source.name}' from ${producer.title}, but has no ${producer.title} user to read it as`, {
      location: { file: parsed.files.projectFilePath },
      hint: `Add a ${producer.type} target (type: ${producer.type}, with the user ${parsed.name} logs in as) under targets: in ${parsed.files.projectFilePath}; the build stays on its own target.`,
    });
  }
  const target = resolveTarget(project, parsed.root, name);
  const granted = publicationFacts(manifest).nodes.filter((n) => !view.refused.has(n.unique_id));
  await importShare({
    target,
    relations: granted.map((n) => ({ from: { database: view.catalog!, schema: view.schema!, identifier: n.alias }, into: { schema: n.schema, identifier: n.alias } })),
    destination,
  });
  return destination;
}
