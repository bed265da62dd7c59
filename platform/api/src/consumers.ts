import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parse } from 'yaml';
import { workspaceProjects } from '@mesh/contracts';
import { MeshError } from '@mesh/errors';
import { EVERYONE, grantees, loadDataProduct } from '@mesh/governance';
import { didYouMean, findProjectFile } from '@mesh/engine';

/**
 * Who a token may read as: a domain of the workspace (its mesh project name) or a role some data
 * product grants ports to. A token for anyone else would read nothing, silently; it is refused instead.
 */
export interface KnownConsumers {
  domains: string[];
  roles: string[];
}

function projectName(root: string): string | undefined {
  try {
    const data = parse(readFileSync(findProjectFile(root), 'utf8')) as { name?: unknown } | null;
    return typeof data?.name === 'string' ? data.name : undefined;
  } catch {
    return undefined;
  }
}

export function knownConsumers(workspaceRoot: string): KnownConsumers {
  const roots = workspaceProjects(workspaceRoot);
  const domains = roots.map(projectName).filter((n): n is string => n !== undefined);
  const roles = new Set<string>();
  for (const root of roots) {
    let product;
    try {
      product = loadDataProduct(root);
    } catch {
      continue; // a descriptor that does not parse is the policy check's to report
    }
    for (const g of product ? grantees(product) : []) if (g !== EVERYONE && !domains.includes(g)) roles.add(g);
  }
  return { domains: [...new Set(domains)].sort(), roles: [...roles].sort() };
}

export function assertKnownConsumer(workspaceRoot: string, consumer: string): void {
  const known = knownConsumers(workspaceRoot);
  if (known.domains.includes(consumer) || known.roles.includes(consumer)) return;
  const all = [...known.domains, ...known.roles];
  const near = didYouMean(consumer, all);
  throw new MeshError('E_API_CONSUMER', `'${consumer}' is neither a domain of this workspace nor a role any data product grants to`, {
    hint: `${near ? `Did you mean '${near}'? ` : ''}Domains: ${known.domains.join(', ') || 'none'}; roles: ${known.roles.join(', ') || 'none'}. A new role exists once a data_product.yaml grants it a port (access.grants[].to).`,
  });
}
