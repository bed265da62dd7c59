import { z } from 'zod';
import { MeshError } from '@mesh/errors';
import type { Adapter } from '../execute/adapter';
import type { ResolvedTarget } from '../parse/target';
import type { EnginePlugin, OpenOptions, ShareImport } from './engine-plugin';

/**
 * The engines a process can build on. Adapter packages export a plugin; one module per face of the
 * product (`@mesh/engines`) registers them, so that adding an engine is one package and one line there.
 * The engine itself depends on no adapter.
 */

type AnyPlugin = EnginePlugin<z.ZodObject, unknown>;

const plugins = new Map<string, AnyPlugin>();
let defaultType: string | undefined;
/** Bumped on each registration, so that schemas built from the registered engines are rebuilt. */
let generation = 0;

export interface RegisterOptions {
  /** The engine of the built-in `dev` target and of targets that name no type (the embedded one). */
  default?: boolean;
}

/** Adds an engine; registering the same plugin again is a no-op, another plugin of a taken type an error. */
export function registerEngine<S extends z.ZodObject, O>(plugin: EnginePlugin<S, O>, options: RegisterOptions = {}): void {
  const existing = plugins.get(plugin.type);
  if (existing && existing !== (plugin as unknown)) {
    throw new MeshError('E_ENGINE_TAKEN', `two engines register the type '${plugin.type}'`, { hint: 'Give the new engine a type of its own.' });
  }
  const literal = plugin.targetSchema.shape.type;
  if (!(literal instanceof z.ZodLiteral) || !literal.values.has(plugin.type)) {
    throw new MeshError('E_ENGINE_INVALID', `engine '${plugin.type}': its target schema must declare type: z.literal('${plugin.type}')`);
  }
  if (plugin.capabilities.shareImport && !plugin.importShare) {
    throw new MeshError('E_ENGINE_INVALID', `engine '${plugin.type}' declares shareImport but has no importShare`);
  }
  if (plugin.capabilities.ingest && !plugin.dialect.readIngestFile) {
    throw new MeshError('E_ENGINE_INVALID', `engine '${plugin.type}' declares ingest but its dialect has no readIngestFile`);
  }
  // The plugin is stored without its option type: every call below hands it options its own resolveTarget made.
  plugins.set(plugin.type, plugin as unknown as AnyPlugin);
  if (options.default || defaultType === undefined) defaultType = plugin.type;
  if (!existing) generation++;
}

/** Registered engines, in registration order. */
export function registeredEngines(): AnyPlugin[] {
  return [...plugins.values()];
}

export function isRegisteredEngine(type: string): boolean {
  return plugins.has(type);
}

/** The engine of a target type, or a clear error naming the ones this process knows. */
export function engineOf(type: string): AnyPlugin {
  const plugin = plugins.get(type);
  if (plugin) return plugin;
  throw new MeshError('E_ENGINE_UNKNOWN', plugins.size ? `no engine of type '${type}' is registered` : `no engine is registered (asked for '${type}')`, {
    hint: plugins.size
      ? `Use one of: ${[...plugins.keys()].join(', ')}; a new engine is an adapter package registered in @mesh/engines.`
      : "Import '@mesh/engines' (or register an engine with registerEngine) before loading a project.",
  });
}

/** The embedded engine a project builds on when it names no target. */
export function defaultEngine(): AnyPlugin {
  if (defaultType === undefined) return engineOf('(default)');
  return plugins.get(defaultType)!;
}

export function registryGeneration(): number {
  return generation;
}

/** The target's engine, checked to be the one whose resolveTarget made its options. */
function pluginFor(target: ResolvedTarget): AnyPlugin {
  return engineOf(target.type);
}

/** Opens the database of a resolved target through its engine's adapter. */
export function openAdapter(target: ResolvedTarget, how: OpenOptions = {}): Promise<Adapter> {
  return pluginFor(target).open(target, target.options, how);
}

/** The target's database for reading while compiling, when it is there (see EnginePlugin.openExisting). */
export function openExistingDatabase(target: ResolvedTarget): Promise<Adapter | undefined> {
  return pluginFor(target).openExisting(target, target.options);
}

/**
 * A server's adapter when the server answers within `waitMs`, else undefined; one that answers later
 * is let go. For plugins' openExisting on engines that are servers.
 */
export async function reachServer(open: () => Promise<Adapter>, database: string, waitMs = 5000): Promise<Adapter | undefined> {
  const reached = (async () => {
    const adapter = await open();
    try {
      await adapter.listRelations(database);
      return adapter;
    } catch {
      await adapter.close().catch(() => undefined);
      return undefined;
    }
  })().catch(() => undefined);
  const timeout = new Promise<undefined>((done) => setTimeout(() => done(undefined), waitMs).unref());
  const answer = await Promise.race([reached, timeout]);
  if (!answer) void reached.then((late) => late?.close());
  return answer;
}

/** The target as the run's header names it. */
export function describeTarget(target: ResolvedTarget, cwd = process.cwd()): string {
  return pluginFor(target).describe(target, target.options, cwd);
}

/** Which database a build journal belongs to. */
export function targetIdentity(target: ResolvedTarget): string {
  return pluginFor(target).identity(target, target.options);
}

/** Copies a share of the target's engine into a database file (see EngineCapabilities.shareImport). */
export async function importShare(share: ShareImport): Promise<void> {
  const plugin = pluginFor(share.target);
  if (!plugin.capabilities.shareImport || !plugin.importShare) {
    throw new MeshError('E_UPSTREAM_ENGINE', `${plugin.title} shares cannot be copied into a file`, { hint: `Build the consumer on ${plugin.place} too.` });
  }
  await plugin.importShare(share, share.target.options);
}
