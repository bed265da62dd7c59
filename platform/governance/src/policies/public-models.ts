import type { ModelNode } from '@mesh/engine';
import type { Policy, PolicyContext } from './policy';
import { isPublic } from './policy';

/** Public models are what other domains build on: each is described, owned and under contract. */

const where = (context: PolicyContext, node: ModelNode): string => {
  const entry = context.locate.entryOf(node);
  return entry ? `its entry in ${context.locate.repoPath(entry.properties.path)}` : `a properties file under models/ (- name: ${node.name})`;
};

export const publicModelDescription: Policy<'public-model-description'> = {
  name: 'public-model-description',
  check(context) {
    return context.models.filter((n) => isPublic(n) && !n.description.trim()).map((node) => ({
      ...context.locate.model(node, 'description'),
      node: node.unique_id,
      message: `public model '${node.name}' has no description`,
      hint: `Add a description: to ${where(context, node)}; other domains read it in the published manifest.`,
    }));
  },
};

function ownerOf(context: PolicyContext, node: ModelNode): string | undefined {
  const group = node.config.group ? context.project.parsed.groups.find((g) => g.name === node.config.group) : undefined;
  const groupOwner = group?.owner.email ?? group?.owner.name;
  if (groupOwner) return groupOwner;
  const metaOwner = node.config.meta.owner ?? node.meta.owner;
  if (typeof metaOwner === 'string' && metaOwner.trim()) return metaOwner;
  return context.descriptor?.owner.email;
}

export const publicModelOwner: Policy<'public-model-owner'> = {
  name: 'public-model-owner',
  check(context) {
    return context.models.filter((n) => isPublic(n) && !ownerOf(context, n)).map((node) => ({
      ...context.locate.model(node),
      node: node.unique_id,
      message: `public model '${node.name}' has no owner`,
      hint: node.config.group
        ? `Give its group '${node.config.group}' an owner (groups: in a properties file), or declare owner: {team, email} in ${context.descriptorFile}.`
        : `Declare owner: {team, email} in ${context.descriptorFile}, or put the model in a group with an owner (groups: in a properties file).`,
    }));
  },
};

export const publicModelContract: Policy<'public-model-contract'> = {
  name: 'public-model-contract',
  check(context) {
    return context.models.filter((n) => isPublic(n) && !n.config.contract.enforced).map((node) => ({
      ...context.locate.model(node, 'config', 'contract'),
      node: node.unique_id,
      message: `public model '${node.name}' has no enforced contract`,
      hint: `Set config: {contract: {enforced: true}} in ${where(context, node)} and give every column a data_type, so consumers get the columns and types they were promised.`,
    }));
  },
};
