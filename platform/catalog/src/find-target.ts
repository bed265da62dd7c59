import { editDistance } from '@mesh/engine';
import { MeshError } from '@mesh/errors';
import type { ImpactTarget } from './impact';
import type { Catalog } from './types';

/**
 * Finds `model`, `domain.model`, `model.column` or `domain.model.column` (or a unique id). A model
 * name alone must be unique across domains; an ambiguous or unknown one is an error that lists the options.
 */
export function findTarget(catalog: Pick<Catalog, 'nodes'>, spec: string): ImpactTarget {
  const byId = catalog.nodes.find((n) => n.id === spec);
  if (byId) return { node: byId };
  const parts = spec.split('.');
  const candidates: ImpactTarget[] = [];
  const add = (domain: string | undefined, name: string, column?: string) => {
    for (const node of catalog.nodes) {
      if (node.name !== name || (domain !== undefined && node.domain !== domain)) continue;
      if (column !== undefined && !node.columns.some((c) => c.name === column)) continue;
      candidates.push(column === undefined ? { node } : { node, column });
    }
  };
  if (parts.length === 1) add(undefined, parts[0]!);
  if (parts.length === 2) {
    add(parts[0], parts[1]!);
    add(undefined, parts[0]!, parts[1]);
  }
  if (parts.length === 3) add(parts[0], parts[1]!, parts[2]);
  if (candidates.length === 1) return candidates[0]!;
  const what = (t: ImpactTarget) => `${t.node.domain}.${t.node.name}${t.column ? `.${t.column}` : ''}`;
  if (candidates.length > 1) {
    throw new MeshError('E_CATALOG_AMBIGUOUS', `'${spec}' names more than one thing: ${candidates.map(what).join(', ')}`, {
      hint: 'Name the domain too: <domain>.<model> or <domain>.<model>.<column>.',
    });
  }
  const name = parts.length === 3 ? parts[1]! : parts.length === 2 ? parts[1]! : parts[0]!;
  const near = catalog.nodes.filter((n) => n.name.includes(name) || name.includes(n.name) || editDistance(n.name, name) <= 2).slice(0, 5);
  throw new MeshError('E_CATALOG_UNKNOWN', `no model, source or column in the mesh is named '${spec}'`, {
    hint: near.length
      ? `Did you mean ${near.map((n) => `${n.domain}.${n.name}`).join(', ')}? Columns are written <model>.<column>.`
      : 'Write <model>, <domain>.<model>, <model>.<column> or <domain>.<model>.<column>; `mesh docs generate` lists everything in the catalog.',
  });
}
