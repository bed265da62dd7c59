export {
  dataProductSchema,
  inputPortSchema,
  outputPortSchema,
  parseDataProduct,
  loadDataProduct,
  DATA_PRODUCT_FILE_NAMES,
  type DataProduct,
  type DataProductSpec,
  type InputPort,
  type OutputPort,
} from './data-product';
export { parseDuration, tryParseDuration } from './duration';
export { parseAndValidate, type ValidatedFile } from './validate-file';
export { isSemver, isSemverRange } from './semver';
export {
  loadPolicyConfig,
  parsePolicyConfig,
  policyFileSchema,
  localPoliciesSchema,
  POLICY_CONFIG_FILE,
  POLICY_NAMES,
  DEFAULT_PARAMS,
  PERSONAL_COLUMN_NAMES,
  type PolicyConfig,
  type PolicyName,
  type PolicySeverity,
  type Severity,
  type PolicyParams,
  type LayerRule,
  type LayerNamingParams,
  type PiiParams,
} from './policy-config';
export { effectivePolicies, type EffectivePolicies, type EffectivePolicy } from './effective-policies';
export { checkPolicies, type CheckOptions } from './check-policies';
export { formatFindings, sortFindings, type Finding } from './finding';
export { EVERYONE, OPENNESS, grantees, granteesOf, grantsFor, portServes, restrictsAccess, type PiiTreatment, type PortGrant } from './access';
export { maskingOf, namedPersonal, personalColumns, piiParamsFor, piiReason, policyRootOf, type PersonalColumn } from './pii';
export { existingMaskingKey, maskingKey, rotateMaskingKey, secretsDir, type MaskingKey } from './masking-key';
export { sloTargets, type SloModel, type SloName, type SloTarget, type SloSetupProblem } from './slo/slo-targets';
export { measureSlos, failingSlos, formatAge, type MeasureOptions, type SloResult } from './slo/measure-slos';
