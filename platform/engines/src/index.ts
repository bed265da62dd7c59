import { registerEngine } from '@mesh/engine';
import { duckdbEngine } from '@mesh/adapter-duckdb/engine';
import { postgresEngine } from '@mesh/adapter-postgres/engine';
import { trinoEngine } from '@mesh/adapter-trino/engine';

/**
 * Importing this module registers the engines the mesh ships with; the CLI, the API, the scheduler and
 * the loom import it before they load a project. Plugins load no database bindings until a target of
 * theirs is opened. A new engine is an adapter package exporting its plugin and one line here.
 */
registerEngine(duckdbEngine, { default: true });
registerEngine(postgresEngine);
registerEngine(trinoEngine);

export { duckdbEngine, postgresEngine, trinoEngine };
