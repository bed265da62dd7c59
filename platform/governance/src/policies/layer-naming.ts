import type { ModelNode } from '@mesh/engine';
import type { LayerRule } from '../policy-config';
import type { Policy, PolicyContext } from './policy';

/** Names say which layer a model belongs to (`raw_` in bronze, `stg_`/`int_` in silver), as the policy file configures. */

function layerOf(context: PolicyContext, node: ModelNode): { layer: string; folder: string } | undefined {
  for (const path of context.project.parsed.files.modelPaths) {
    const base = path.replace(/\/+$/, '');
    if (!node.original_file_path.startsWith(`${base}/`)) continue;
    const folders = node.original_file_path.slice(base.length + 1).split('/').slice(0, -1);
    return folders[0] ? { layer: folders[0], folder: `${base}/${folders[0]}` } : undefined;
  }
  return undefined;
}

function follows(name: string, rule: LayerRule): boolean {
  const prefixes = rule.prefixes ?? [];
  if (!prefixes.length && rule.pattern === undefined) return true;
  return prefixes.some((p) => name.startsWith(p)) || (rule.pattern !== undefined && new RegExp(rule.pattern).test(name));
}

function expectation(rule: LayerRule): string {
  const parts: string[] = [];
  if (rule.prefixes?.length) parts.push(`start with ${rule.prefixes.join(' or ')}`);
  if (rule.pattern !== undefined) parts.push(`match /${rule.pattern}/`);
  return parts.join(' or ');
}

export const layerNaming: Policy<'layer-naming'> = {
  name: 'layer-naming',
  check(context, params) {
    return context.models.flatMap((node) => {
      const at = layerOf(context, node);
      const rule = at && params.layers[at.layer];
      if (!at || !rule || follows(node.name, rule)) return [];
      return [{
        file: context.locate.repoPath(node.original_file_path),
        line: 1,
        node: node.unique_id,
        message: `model '${node.name}' in ${at.folder} does not ${expectation(rule)}`,
        hint: `Rename it so it does (the SQL file, its properties entry and the refs to it), or move it to the layer it belongs to.`,
      }];
    });
  },
};
