import { readFileSync } from 'node:fs';
import { MeshError } from '@mesh/errors';
import { parseYamlFile, validateYaml } from '@mesh/validate';
import { checkContract } from './check';
import { contractSchema, type Contract } from './schema';

/**
 * Parses a contract file's text. Syntax and shape errors come from @mesh/validate (E_YAML_SYNTAX,
 * E_YAML_SCHEMA); rules across entries (duplicates, versioning) are E_CONTRACT_INVALID. All name file and line.
 */
export function parseContract(file: string, text: string): Contract {
  const parsed = parseYamlFile(file, text);
  const contract = validateYaml(parsed, contractSchema, 'data contract');
  checkContract(parsed, contract);
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
