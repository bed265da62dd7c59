import type { Adapter, ProjectOptions, ResolvedTarget } from '@mesh/engine';
import { loadUpstreams } from '@mesh/loom';
import type { RunRecord } from '@mesh/metadata';

/** Which project and which of its nodes: what every domain command takes (dbt's common flags). */
export interface ProjectSelection {
  projectDir: string;
  select?: string[];
  exclude?: string[];
  /** The target (database) from the project file; its default target otherwise. */
  target?: string;
  /** Variables for var(). */
  vars?: Record<string, unknown>;
  failOnDeprecated?: boolean;
  profilesDir?: string;
  warnError?: boolean;
  /** The spellings of dbt's macros for a target's engine: the face decides which engines it carries. */
  dialect?: ProjectOptions['dialect'];
}

/** Who started a run, as its history records it. */
export type RunOrigin = Pick<RunRecord, 'trigger' | 'parentRunId'>;

/** Opens the database of a resolved target: the face decides which adapters it carries. */
export type OpenAdapter = (target: ResolvedTarget) => Promise<Adapter>;

/** What a command that writes to the database takes beyond the selection. */
export interface DatabaseOptions {
  openAdapter: OpenAdapter;
  /** Wait for another run of the project to finish instead of failing at once. */
  wait?: boolean;
  /** Recorded in the run's history; a person or CI (`cli`) unless told. */
  origin?: RunOrigin;
  /** Where alert settings ($VARS in ingest.yml, MESH_ALERT_WEBHOOK) are read; process.env unless told. */
  env?: Record<string, string | undefined>;
}

export function projectOptions(selection: ProjectSelection): ProjectOptions {
  return {
    projectDir: selection.projectDir,
    select: selection.select,
    exclude: selection.exclude,
    target: selection.target,
    vars: selection.vars ?? {},
    failOnDeprecated: selection.failOnDeprecated,
    profilesDir: selection.profilesDir,
    warnError: selection.warnError || undefined,
    dialect: selection.dialect,
    upstreams: loadUpstreams,
  };
}

export const CLI_ORIGIN: RunOrigin = { trigger: 'cli' };
