import { existsSync } from 'node:fs';
import { MetadataStore, metadataPath, type StoredSlo, type TestResult } from '@mesh/metadata';

/** How many past results of each SLO and test the catalog keeps: enough for a trend, small at 5,000 models. */
export const HISTORY_LENGTH = 20;

/** A domain's recorded history: its SLO measurements and its tests' results, newest first. */
export interface DomainHistory {
  slos: StoredSlo[];
  tests: TestResult[];
}

export type DomainHistoryResult = { history: DomainHistory | undefined; problem?: string };

/**
 * Reads the history from the domain's metadata database (.mesh/metadata.duckdb). A domain never run has
 * none; a database another process holds for longer than a moment is reported, and the catalog goes on.
 */
export async function readDomainHistory(root: string, project: string): Promise<DomainHistoryResult> {
  const path = metadataPath(root);
  if (!existsSync(path)) return { history: undefined };
  try {
    return {
      history: await MetadataStore.use(path, async (store) => ({
        slos: await store.sloHistory(project, HISTORY_LENGTH),
        tests: await store.testHistory(project, HISTORY_LENGTH),
      }), { waitMs: 2_000 }),
    };
  } catch (error) {
    return { history: undefined, problem: (error as Error).message.split('\n')[0] };
  }
}
