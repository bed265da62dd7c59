import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { MeshError } from '@mesh/errors';
import { checkPolicies } from './check-policies';
import { parseDataProduct } from './data-product';
import { effectivePolicies } from './effective-policies';
import { formatFindings } from './finding';
import { loadPolicyConfig, parsePolicyConfig, POLICY_NAMES, PERSONAL_COLUMN_NAMES } from './policy-config';
import { compileFiles } from './test-support';

const REPO_ROOT = fileURLToPath(new URL('../../../', import.meta.url));
const FILE = 'governance/policies.yml';

const GLOBAL = parsePolicyConfig(FILE, `policies:
  public-model-contract: error
  layer-naming: warn
  pii-not-exposed: {severity: error, tags: [pii]}
`);

const PRODUCT = `name: shop
domain: shop
owner: {team: Shop team, email: shop@example.com}
description: The shop's orders.
status: active
classification: internal
output_ports: []
`;

const product = (policies: string) => parseDataProduct('data_product.yaml', `${PRODUCT}policies:\n${policies}`);

function errorOf(text: string): MeshError {
  try {
    parsePolicyConfig(FILE, text);
  } catch (error) {
    if (error instanceof MeshError) return error;
    throw error;
  }
  throw new Error('expected the policy file to be refused');
}

describe('the policy file', () => {
  it('reads severities and parameters', () => {
    expect(GLOBAL.policies).toEqual({
      'public-model-contract': { severity: 'error' },
      'layer-naming': { severity: 'warn' },
      'pii-not-exposed': { severity: 'error', tags: ['pii'] },
    });
  });

  it('names the line of an unknown policy, with the policy it resembles', () => {
    const error = errorOf('policies:\n  layer-naming: warn\n  public-model-descripton: error\n');
    expect(error.message).toBe("policy file: policies: unknown key 'public-model-descripton' (did you mean 'public-model-description'?)");
    expect(error.location).toEqual({ file: FILE, line: 3 });
  });

  it('refuses an unknown severity and a parameter the policy does not take', () => {
    const severity = errorOf('policies:\n  layer-naming: fatal\n');
    expect(severity.message).toBe('policy file: policies.layer-naming.severity: expected one of "error", "warn", "off", got string "fatal"');
    expect(severity.location?.line).toBe(2);
    const param = errorOf('policies:\n  public-model-owner:\n    severity: error\n    teams: [a]\n');
    expect(param.message).toBe("policy file: policies.public-model-owner: unknown key 'teams'");
    expect(param.location?.line).toBe(4);
    expect(errorOf('policies:\n  layer-naming:\n    severity: warn\n    layers: {gold: {pattern: "("}}\n').message).toBe(
      'policy file: policies.layer-naming.layers.gold.pattern: expected a regular expression',
    );
  });

  it("is the repository's governance/policies.yml, with every policy set", () => {
    const config = loadPolicyConfig(REPO_ROOT);
    expect(config.file).toBe(FILE);
    expect(Object.keys(config.policies).sort()).toEqual([...POLICY_NAMES].sort());
  });

  it('sets no policy in a repository without one', () => {
    expect(loadPolicyConfig(mkdtempSync(join(tmpdir(), 'mesh-no-policies-')))).toEqual({ policies: {} });
  });
});

describe('global and domain policies', () => {
  it('applies the global settings when the domain has none', () => {
    const { policies, findings } = effectivePolicies(GLOBAL, undefined, 'domains/shop/data_product.yaml');
    expect(findings).toEqual([]);
    expect(policies['public-model-contract'].severity).toBe('error');
    expect(policies['public-model-owner'].severity).toBe('off');
    expect(policies['pii-not-exposed'].params).toEqual({ tags: ['pii'], classifications: ['pii'], masking: ['hash', 'redact', 'null'], columns: PERSONAL_COLUMN_NAMES });
  });

  it('lets a domain add a policy with its own parameters, raise a warning and silence one', () => {
    const local = product('  public-model-owner: warn\n  descriptor-present: error\n  layer-naming: error\n');
    const { policies, findings } = effectivePolicies(GLOBAL, local, 'domains/shop/data_product.yaml');
    expect(findings).toEqual([]);
    expect(policies['public-model-owner'].severity).toBe('warn');
    expect(policies['layer-naming'].severity).toBe('error');
    const silenced = effectivePolicies(GLOBAL, product('  layer-naming: off\n'), 'x');
    expect(silenced.findings).toEqual([]);
    expect(silenced.policies['layer-naming'].severity).toBe('off');
    const params = effectivePolicies(parsePolicyConfig(FILE, 'policies: {}\n'), product('  layer-naming:\n    severity: error\n    layers: {gold: {prefixes: [fct_]}}\n'), 'x');
    expect(params.policies['layer-naming']).toEqual({ severity: 'error', params: { layers: { gold: { prefixes: ['fct_'] } } } });
  });

  it('refuses to turn a global error off or down, and reports the attempt', () => {
    const local = product('  layer-naming: error\n  public-model-contract: off\n  pii-not-exposed: warn\n');
    const { policies, findings } = effectivePolicies(GLOBAL, local, 'domains/shop/data_product.yaml');
    expect(policies['public-model-contract'].severity).toBe('error');
    expect(policies['pii-not-exposed'].severity).toBe('error');
    expect(findings).toEqual([
      {
        policy: 'policy-override',
        severity: 'error',
        message: "'public-model-contract' is an error for every domain (governance/policies.yml); a domain cannot set it to off",
        file: 'domains/shop/data_product.yaml',
        line: 10,
        hint: "Remove 'public-model-contract' from policies: in domains/shop/data_product.yaml and fix what it reports; the platform's setting stands.",
      },
      expect.objectContaining({ message: "'pii-not-exposed' is an error for every domain (governance/policies.yml); a domain cannot set it to warn", line: 11 }),
    ]);
  });

  it("ignores a domain's parameters for a policy the platform sets, with a warning", () => {
    const local = product('  pii-not-exposed:\n    severity: error\n    tags: [secret]\n');
    const { policies, findings } = effectivePolicies(GLOBAL, local, 'domains/shop/data_product.yaml');
    expect(policies['pii-not-exposed'].params.tags).toEqual(['pii']);
    expect(findings).toEqual([{
      policy: 'policy-override',
      severity: 'warn',
      message: "the parameters of 'pii-not-exposed' are set by the platform (governance/policies.yml); this domain's are ignored",
      file: 'domains/shop/data_product.yaml',
      line: 9,
      hint: "Keep only the severity of 'pii-not-exposed' in domains/shop/data_product.yaml, or ask the platform team to change governance/policies.yml.",
    }]);
  });

  it('checks a project with the merged policies: the override is reported and the global error still applies', async () => {
    const { project, repoRoot } = await compileFiles({
      'models/gold/orders.sql': 'select 1 as order_id\n',
      'models/gold/_gold.yml': 'version: 2\nmodels:\n  - name: orders\n    description: Orders.\n    access: public\n',
      'models/silver/orders_clean.sql': 'select 1 as order_id\n',
      'data_product.yaml': `${PRODUCT}policies:\n  public-model-contract: off\n  layer-naming: error\n`,
    });
    const text = formatFindings(checkPolicies(project, { repoRoot, policies: GLOBAL }));
    expect(text).toBe([
      "domains/shop/data_product.yaml:9  error  policy-override  'public-model-contract' is an error for every domain (governance/policies.yml); a domain cannot set it to off",
      "  hint: Remove 'public-model-contract' from policies: in domains/shop/data_product.yaml and fix what it reports; the platform's setting stands.",
      "domains/shop/models/gold/_gold.yml:3  error  public-model-contract  public model 'orders' has no enforced contract",
      '  hint: Set config: {contract: {enforced: true}} in its entry in domains/shop/models/gold/_gold.yml and give every column a data_type, so consumers get the columns and types they were promised.',
      "domains/shop/models/silver/orders_clean.sql:1  error  layer-naming  model 'orders_clean' in models/silver does not start with stg_ or int_",
      '  hint: Rename it so it does (the SQL file, its properties entry and the refs to it), or move it to the layer it belongs to.',
    ].join('\n'));
  });
});
