import type { ColumnDef, MaskMethod, ModelNode } from '@mesh/engine';
import { existsSync } from 'node:fs';
import { dirname, join } from 'node:path';
import type { DataProduct } from './data-product';
import { effectivePolicies } from './effective-policies';
import { DEFAULT_PARAMS, loadPolicyConfig, POLICY_CONFIG_FILE, type PiiParams } from './policy-config';

/**
 * Which columns are personal data, and how each is masked for readers without clearance. A column is
 * personal data when it carries one of the configured tags or `meta.classification` values, or when it
 * declares a masking (declaring one says as much).
 */

const METHODS: readonly string[] = ['hash', 'redact', 'null'];

export function piiReason(column: ColumnDef, params: PiiParams = DEFAULT_PARAMS['pii-not-exposed']): string | undefined {
  const tag = column.tags.find((t) => params.tags.includes(t));
  if (tag) return `tagged ${tag}`;
  const raw = column.meta.classification;
  const classes = Array.isArray(raw) ? raw : [raw];
  const cls = classes.find((c): c is string => typeof c === 'string' && params.classifications.includes(c));
  if (cls) return `classified ${cls}`;
  return namedPersonal(column.name, params.columns ?? []) ? 'named as personal data (a name, e-mail, phone number or address)' : undefined;
}

const compiled = new Map<string, RegExp>();

/** Whether a column's name matches one of the personal-data name patterns (whole name, any case). */
export function namedPersonal(name: string, patterns: readonly string[]): boolean {
  return patterns.some((p) => {
    let re = compiled.get(p);
    if (!re) compiled.set(p, (re = new RegExp(`^(?:${p})$`, 'i')));
    return re.test(name);
  });
}

/** `masking: null` reads as YAML null; it means "replaced by NULL", so it counts as the word. */
export function maskingOf(column: ColumnDef): string | undefined {
  if (!('masking' in column.meta)) return undefined;
  const value = column.meta.masking;
  return value === null ? 'null' : String(value);
}

export interface PersonalColumn {
  column: string;
  /**
   * How it is masked. A personal column without a valid masking is nulled: the pii-not-exposed policy
   * fails it, and until it is fixed nothing personal leaves the domain by accident.
   */
  method: MaskMethod;
}

export function personalColumns(model: Pick<ModelNode, 'columns'>, params?: PiiParams): PersonalColumn[] {
  const out: PersonalColumn[] = [];
  for (const column of model.columns) {
    const masking = maskingOf(column);
    if (masking === undefined && !piiReason(column, params)) continue;
    out.push({ column: column.name, method: masking !== undefined && METHODS.includes(masking) ? (masking as MaskMethod) : 'null' });
  }
  return out;
}

/** The nearest folder at or above `from` holding the platform's policy file, if any. */
export function policyRootOf(from: string): string | undefined {
  for (let dir = from; ; dir = dirname(dir)) {
    if (existsSync(join(dir, POLICY_CONFIG_FILE))) return dir;
    if (dirname(dir) === dir) return undefined;
  }
}

/**
 * What counts as personal data for a project: the pii-not-exposed parameters its policies set (the
 * platform's, or the domain's own when it turns the policy on), so publication masks exactly what
 * the policy check calls personal.
 */
export function piiParamsFor(projectRoot: string, product: DataProduct | undefined): PiiParams {
  const root = policyRootOf(projectRoot);
  const global = root ? loadPolicyConfig(root) : { policies: {} };
  return effectivePolicies(global, product, product?.source.file ?? 'data_product.yaml').policies['pii-not-exposed'].params;
}
