import type { DataProduct } from './data-product';
import type { Finding } from './finding';
import { DEFAULT_PARAMS, POLICY_NAMES, type ParamsOf, type PolicyConfig, type PolicyEntries, type PolicyName, type PolicySeverity } from './policy-config';

export interface EffectivePolicy<K extends PolicyName = PolicyName> {
  severity: PolicySeverity;
  params: ParamsOf<K>;
}
export type EffectivePolicies = { [K in PolicyName]: EffectivePolicy<K> };

const RANK: Record<PolicySeverity, number> = { off: 0, warn: 1, error: 2 };

/** Parameters are handled by key here; the policy file's schema has already given them their shapes. */
type Params = Record<string, unknown>;

function paramsOf(entry: PolicyEntries[PolicyName]): Params {
  if (!entry) return {};
  const { severity: _severity, ...params } = entry as { severity: PolicySeverity } & Params;
  return params;
}

function defaults(name: PolicyName): Params {
  return name in DEFAULT_PARAMS ? { ...DEFAULT_PARAMS[name as keyof typeof DEFAULT_PARAMS] } : {};
}

/**
 * Federated governance: the platform's policies are the floor. A domain may turn on a policy the
 * platform leaves off, raise a warning to an error, silence a warning, and set the parameters of a
 * policy it turns on itself. It may not lower a global error nor change the parameters of a policy the
 * platform enforces; such attempts are ignored and reported as `policy-override` findings.
 */
export function effectivePolicies(global: PolicyConfig, descriptor: DataProduct | undefined, fileOfDescriptor: string): { policies: EffectivePolicies; findings: Finding[] } {
  const findings: Finding[] = [];
  const local = descriptor?.policies ?? {};
  const globalFile = global.file ?? "the platform's policies";
  const policies = {} as Record<PolicyName, { severity: PolicySeverity; params: Params }>;
  for (const name of POLICY_NAMES) {
    const g = global.policies[name];
    const l = local[name];
    const globalSeverity = g?.severity ?? 'off';
    const base = { ...defaults(name), ...paramsOf(g) };
    if (!l) {
      policies[name] = { severity: globalSeverity, params: base };
      continue;
    }
    const line = descriptor!.source.lineOf(['policies', name]) ?? 1;
    let severity = l.severity;
    if (globalSeverity === 'error' && RANK[l.severity] < RANK.error) {
      findings.push({
        policy: 'policy-override',
        severity: 'error',
        message: `'${name}' is an error for every domain (${globalFile}); a domain cannot set it to ${l.severity}`,
        file: fileOfDescriptor,
        line,
        hint: `Remove '${name}' from policies: in ${fileOfDescriptor} and fix what it reports; the platform's setting stands.`,
      });
      severity = 'error';
    }
    const localParams = paramsOf(l);
    if (globalSeverity !== 'off' && Object.keys(localParams).length) {
      findings.push({
        policy: 'policy-override',
        severity: 'warn',
        message: `the parameters of '${name}' are set by the platform (${globalFile}); this domain's are ignored`,
        file: fileOfDescriptor,
        line,
        hint: `Keep only the severity of '${name}' in ${fileOfDescriptor}, or ask the platform team to change ${globalFile}.`,
      });
      policies[name] = { severity, params: base };
    } else {
      policies[name] = { severity, params: { ...base, ...localParams } };
    }
  }
  return { policies: policies as unknown as EffectivePolicies, findings };
}
