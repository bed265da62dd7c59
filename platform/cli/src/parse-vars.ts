import { parse } from 'yaml';
import { MeshError } from '@mesh/errors';

/** `--vars '{raw_dir: data, limit: 10}'`: YAML (hence also JSON), as dbt accepts. */
export function parseVars(text: string | undefined): Record<string, unknown> {
  if (!text) return {};
  let value: unknown;
  try {
    value = parse(text);
  } catch (error) {
    throw new MeshError('E_CLI_VARS', `--vars is not valid YAML: ${(error as Error).message.split('\n')[0]}`, {
      hint: "Pass a mapping, for example --vars '{raw_dir: ./data, start_date: 2026-01-01}'.",
    });
  }
  if (!value || typeof value !== 'object' || Array.isArray(value)) {
    throw new MeshError('E_CLI_VARS', '--vars must be a mapping of names to values', {
      hint: "Pass a mapping, for example --vars '{raw_dir: ./data}'.",
    });
  }
  return value as Record<string, unknown>;
}
