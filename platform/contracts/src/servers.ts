import type { ContractServer } from '@mesh/contract';
import type { ParsedProject } from '@mesh/engine';

/**
 * Where a domain's contract says its data can be read: a DuckDB file beside its database holding every
 * public model as published (`exportContractData` writes it after each publication).
 */
export const CONTRACT_DATA_DIR = 'contract-data';

/** The contract data's file, relative to the domain folder. */
export function contractDataFile(parsed: Pick<ParsedProject, 'files' | 'name'>): string {
  return `${targetPath(parsed)}/${CONTRACT_DATA_DIR}/${parsed.name}.duckdb`;
}

export function targetPath(parsed: Pick<ParsedProject, 'files'>): string {
  return parsed.files.project['target-path'] ?? 'target';
}

/** The servers of a project's contract: its data export, where its engine writes one. */
export function contractServers(parsed: Pick<ParsedProject, 'files' | 'target' | 'name'>): ContractServer[] {
  if (parsed.target.type !== 'duckdb') return [];
  return [{
    server: 'published',
    type: 'duckdb',
    database: contractDataFile(parsed),
    schema: 'main',
    environment: 'prod',
    description: 'The public models as last published, personal data masked, a table per schema object; the path is relative to the domain folder.',
  }];
}

