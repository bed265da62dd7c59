import type { CompiledProject, ModelNode } from '@mesh/engine';
import type { DataProduct } from '../data-product';
import type { Finding } from '../finding';
import type { Locator } from '../locate';
import type { ParamsOf, PolicyName } from '../policy-config';

/** What every policy sees: the compiled project, its descriptor and where things are. */
export interface PolicyContext {
  project: Pick<CompiledProject, 'parsed' | 'upstreams'>;
  locate: Locator;
  descriptor?: DataProduct;
  /** The descriptor's path from the repository root (where it is, or would be). */
  descriptorFile: string;
  /** The project's own models, without upstream nodes. */
  models: ModelNode[];
}

/** A finding before the policy's name and effective severity are stamped on it. */
export type Raised = Omit<Finding, 'policy' | 'severity'>;

export interface Policy<K extends PolicyName> {
  name: K;
  check(context: PolicyContext, params: ParamsOf<K>): Raised[];
}

export const isPublic = (node: ModelNode): boolean => node.config.access === 'public';
