import type { CompiledProject, ModelNode } from '@mesh/engine';
import { DATA_PRODUCT_FILE_NAMES, loadDataProduct, type DataProduct } from './data-product';
import { effectivePolicies } from './effective-policies';
import { sortFindings, type Finding } from './finding';
import { Locator } from './locate';
import { loadPolicyConfig, POLICY_NAMES, type PolicyConfig, type PolicyName } from './policy-config';
import { POLICIES, type Policy, type PolicyContext } from './policies';

export interface CheckOptions {
  /** Findings name files relative to it; the global policy file is read from it unless `policies` is given. */
  repoRoot: string;
  /** The project's descriptor; read from the project folder when the key is absent, none when set to undefined. */
  descriptor?: DataProduct;
  /** The global policies; read from `governance/policies.yml` under repoRoot when absent. */
  policies?: PolicyConfig;
}

/**
 * Checks a compiled project against the platform's policies and its own descriptor's. Returns every
 * finding, errors and warnings alike, in file and line order; deciding what fails a build is the caller's.
 */
export function checkPolicies(project: Pick<CompiledProject, 'parsed' | 'upstreams'>, options: CheckOptions): Finding[] {
  const { parsed } = project;
  const descriptor = 'descriptor' in options ? options.descriptor : loadDataProduct(parsed.root);
  const global = options.policies ?? loadPolicyConfig(options.repoRoot);
  const locate = new Locator(parsed, options.repoRoot);
  const descriptorFile = locate.repoPath(descriptor?.source.file ?? DATA_PRODUCT_FILE_NAMES[0]);
  const { policies, findings } = effectivePolicies(global, descriptor, descriptorFile);
  const models = parsed.nodes.filter((n): n is ModelNode => n.resource_type === 'model');
  const context: PolicyContext = { project, locate, descriptor, descriptorFile, models };
  for (const name of POLICY_NAMES) {
    const { severity, params } = policies[name];
    if (severity === 'off') continue;
    // POLICIES and the effective policies are keyed alike, so each policy gets its own parameters.
    for (const raised of (POLICIES[name] as Policy<PolicyName>).check(context, params as never)) {
      findings.push({ policy: name, severity, ...raised });
    }
  }
  return sortFindings(findings);
}
