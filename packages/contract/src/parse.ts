import { readFileSync } from 'node:fs';
import { MeshError } from '@mesh/errors';
import { parseYamlFile, validateYaml, type ParsedYaml } from '@mesh/validate';
import { checkContract } from './check';
import { LEGACY_API_VERSION, legacyContractSchema, upgradeLegacy } from './legacy';
import { decodeContract, ODCS_API_VERSION, odcsFileSchema } from './odcs';
import type { Contract } from './schema';

/** Which form a contract file is in, by the ODCS version it declares. */
export function contractForm(parsed: ParsedYaml): 'odcs' | 'legacy' {
  const declared = (parsed.data as { apiVersion?: unknown } | null)?.apiVersion;
  if (declared === ODCS_API_VERSION) return 'odcs';
  if (declared === LEGACY_API_VERSION) return 'legacy';
  throw new MeshError('E_YAML_SCHEMA', `data contract: apiVersion: expected ${ODCS_API_VERSION}, got ${JSON.stringify(declared ?? null)}`, {
    location: { file: parsed.file, line: parsed.lineOf(['apiVersion']) },
    hint: `Contracts follow the Open Data Contract Standard ${ODCS_API_VERSION}: write apiVersion: ${ODCS_API_VERSION}.`,
  });
}

/**
 * Parses a contract file's text: ODCS v3.1.0, or the form releases had before it (read, and upgraded to
 * the same promises). Syntax and shape errors come from @mesh/validate (E_YAML_SYNTAX, E_YAML_SCHEMA);
 * rules across entries (duplicates, versioning) are E_CONTRACT_INVALID. All name file and line.
 */
export function parseContract(file: string, text: string): Contract {
  const parsed = parseYamlFile(file, text);
  const form = contractForm(parsed);
  const contract = form === 'odcs'
    ? decodeContract(validateYaml(parsed, odcsFileSchema, 'data contract'))
    : upgradeLegacy(validateYaml(parsed, legacyContractSchema, 'data contract'));
  checkContract(parsed, contract, form);
  return contract;
}

export function readContract(path: string): Contract {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (cause) {
    throw new MeshError('E_CONTRACT_NOT_FOUND', `cannot read the data contract ${path}`, {
      location: { file: path },
      hint: 'Check the path to the contract file.',
      cause,
    });
  }
  return parseContract(path, text);
}
