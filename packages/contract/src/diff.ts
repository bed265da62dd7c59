import { change, sortChanges, type ContractChange } from './changes';
import type { Contract, ContractModel, ContractProperty, QualityRule, Relationship, SlaProperty } from './schema';
import { consumerTargets, targetLabel, type ConsumerTarget } from './targets';
import { normalizeType } from './types';

export interface DiffOptions {
  /**
   * Models whose access was narrowed in the project: their disappearance from the contract is reported
   * as `access_narrowed` rather than a removal, so the message says why consumers lost them.
   */
  narrowedAccess?: Record<string, 'private' | 'protected'>;
}

const NONE = '(none)';

// Keys sorted at every level, so two rules written in a different key order compare equal.
function canonical(value: unknown): string {
  return JSON.stringify(value, (_key, v: unknown) =>
    v !== null && typeof v === 'object' && !Array.isArray(v)
      ? Object.fromEntries(Object.entries(v).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)))
      : v,
  );
}

/** A column's foreign keys compare as its rules do: adding one tightens, removing one loosens. */
type Rule = QualityRule | (Relationship & { relationship: true });

// Name, description and severity do not change what a rule promises about the data.
const ruleKey = (rule: Rule): string => {
  if ('relationship' in rule) return canonical({ foreignKey: rule.to });
  const { description: _description, severity: _severity, name: _name, ...promise } = rule;
  return canonical(promise);
};

/** How a message names a rule: its metric, `sql`, the dbt test it runs, or the foreign key. */
function ruleName(rule: Rule): string {
  if ('relationship' in rule) return `foreign key to ${rule.to}`;
  if (rule.type === 'library') return rule.metric;
  if (rule.type === 'sql') return `sql ${rule.description ?? rule.query}`;
  const test = typeof rule.implementation === 'string' ? rule.implementation : String(rule.implementation.test ?? rule.implementation.name ?? rule.engine);
  return `${rule.engine} ${test}`;
}

const withKeys = (quality: QualityRule[], relationships: Relationship[] = []): Rule[] => [...quality, ...relationships.map((r) => ({ ...r, relationship: true as const }))];

interface Scope {
  model: string;
  version: string | null;
  column?: string;
}

const label = (s: Scope): string => {
  const model = targetLabel(s.model, s.version);
  return s.column === undefined ? model : `${model}.${s.column}`;
};

function compareRules(scope: Scope, before: Rule[], after: Rule[], out: ContractChange[]): void {
  const afterKeys = new Set(after.map(ruleKey));
  const beforeKeys = new Set(before.map(ruleKey));
  for (const rule of before) {
    const key = ruleKey(rule);
    if (!afterKeys.has(key)) {
      out.push(change('constraint_removed', { ...scope, before: key, message: `constraint ${ruleName(rule)} on ${label(scope)} was removed` }));
    }
  }
  for (const rule of after) {
    const key = ruleKey(rule);
    if (!beforeKeys.has(key)) {
      out.push(change('constraint_added', { ...scope, after: key, message: `constraint ${ruleName(rule)} on ${label(scope)} was added` }));
    }
  }
}

function typeOf(p: ContractProperty, other: ContractProperty): string {
  return p.physicalType !== undefined && other.physicalType !== undefined ? normalizeType(p.physicalType) : p.logicalType;
}

function compareColumn(scope: Scope, before: ContractProperty, after: ContractProperty, out: ContractChange[]): void {
  const at = label(scope);
  const [typeBefore, typeAfter] = [typeOf(before, after), typeOf(after, before)];
  if (typeBefore !== typeAfter) {
    out.push(change('type_changed', { ...scope, before: typeBefore, after: typeAfter, message: `type of ${at} changed from ${typeBefore} to ${typeAfter}` }));
  }
  if (before.required !== after.required) {
    out.push(
      after.required
        ? change('required_tightened', { ...scope, message: `${at} is now required (never null)` })
        : change('required_loosened', { ...scope, message: `${at} is no longer required (may be null)` }),
    );
  }
  if (before.unique !== after.unique) {
    out.push(
      after.unique
        ? change('unique_tightened', { ...scope, message: `${at} is now unique` })
        : change('unique_loosened', { ...scope, message: `${at} is no longer unique` }),
    );
  }
  if (before.primaryKey !== after.primaryKey) {
    out.push(
      after.primaryKey
        ? change('primary_key_added', { ...scope, message: `${at} is now part of the primary key` })
        : change('primary_key_removed', { ...scope, message: `${at} is no longer part of the primary key` }),
    );
  }
  compareRules(scope, withKeys(before.quality, before.relationships), withKeys(after.quality, after.relationships), out);
  if (before.classification !== after.classification) {
    const [from, to] = [before.classification ?? NONE, after.classification ?? NONE];
    out.push(change('classification_changed', { ...scope, before: from, after: to, message: `classification of ${at} changed from ${from} to ${to}` }));
  }
  compareDescriptions(scope, before.description, after.description, out);
}

function compareDescriptions(scope: Scope, before: string | undefined, after: string | undefined, out: ContractChange[]): void {
  if ((before ?? '') === (after ?? '')) return;
  out.push(
    change('description_changed', {
      ...scope,
      ...(before ? { before } : {}),
      ...(after ? { after } : {}),
      message: `description of ${label(scope)} changed`,
    }),
  );
}

function compareTargets(target: ConsumerTarget, before: ContractModel, after: ContractModel, out: ContractChange[]): void {
  const scope: Scope = { model: target.name, version: target.version };
  const at = label(scope);
  const afterColumns = new Map(after.properties.map((p) => [p.name, p]));
  const beforeColumns = new Map(before.properties.map((p) => [p.name, p]));
  for (const column of before.properties) {
    const next = afterColumns.get(column.name);
    if (next) compareColumn({ ...scope, column: column.name }, column, next, out);
    else out.push(change('column_removed', { ...scope, column: column.name, message: `column ${column.name} of ${at} was removed` }));
  }
  for (const column of after.properties) {
    if (!beforeColumns.has(column.name)) {
      out.push(change('column_added', { ...scope, column: column.name, message: `column ${column.name} of ${at} was added` }));
    }
  }
  compareRules(scope, withKeys(before.quality), withKeys(after.quality), out);
  compareDescriptions(scope, before.description, after.description, out);

  const [from, to] = [before.deprecationDate ?? null, after.deprecationDate ?? null];
  if (from !== to) {
    out.push(
      to === null
        ? change('deprecation_removed', { ...scope, before: from!, message: `${at} is no longer deprecated` })
        : change('deprecation_set', {
            ...scope,
            ...(from === null ? {} : { before: from }),
            after: to,
            message: from === null ? `${at} is deprecated from ${to}` : `deprecation date of ${at} changed from ${from} to ${to}`,
          }),
    );
  }
}

function targetsGoneOrAdded(before: ConsumerTarget[], after: ConsumerTarget[], options: DiffOptions, out: ContractChange[]): void {
  const key = (t: ConsumerTarget) => JSON.stringify([t.name, t.version]);
  const afterByKey = new Map(after.map((t) => [key(t), t]));
  const beforeKeys = new Set(before.map(key));
  for (const target of before) {
    const scope: Scope = { model: target.name, version: target.version };
    const next = afterByKey.get(key(target));
    if (next) {
      compareTargets(target, target.model, next.model, out);
      continue;
    }
    const access = options.narrowedAccess?.[target.name];
    if (access) out.push(change('access_narrowed', { ...scope, after: access, message: `${label(scope)} became ${access}` }));
    else if (target.version === null) out.push(change('model_removed', { ...scope, message: `${label(scope)} was removed` }));
    else out.push(change('version_removed', { ...scope, message: `${label(scope)} was removed` }));
  }
  for (const target of after) {
    if (beforeKeys.has(key(target))) continue;
    const scope: Scope = { model: target.name, version: target.version };
    out.push(change(target.version === null ? 'model_added' : 'version_added', { ...scope, message: `${label(scope)} was added` }));
  }
}

function latestVersions(contract: Contract): Map<string, string> {
  const latest = new Map<string, string>();
  for (const m of contract.schema) if (m.latestVersion !== null && !latest.has(m.name)) latest.set(m.name, m.latestVersion);
  return latest;
}

function compareLatestVersions(before: Contract, after: Contract, out: ContractChange[]): void {
  const next = latestVersions(after);
  for (const [name, from] of latestVersions(before)) {
    const to = next.get(name);
    // A model that stopped being versioned, or was removed, is reported through its targets.
    if (to === undefined || to === from) continue;
    out.push(change('latest_version_changed', { model: name, version: null, before: from, after: to, message: `latest version of ${name} changed from ${from} to ${to}` }));
  }
}

const slaValue = (s: SlaProperty): string => `${s.value}${s.unit ? ` ${s.unit}` : ''}`;

function compareSlas(before: SlaProperty[], after: SlaProperty[], out: ContractChange[]): void {
  const key = (s: SlaProperty) => JSON.stringify([s.property, s.element ?? null]);
  const scopeOf = (s: SlaProperty): Scope => {
    if (!s.element) return { model: '', version: null };
    const dot = s.element.indexOf('.');
    return dot === -1 ? { model: s.element, version: null } : { model: s.element.slice(0, dot), version: null, column: s.element.slice(dot + 1) };
  };
  const name = (s: SlaProperty) => `SLA ${s.property}${s.element ? ` of ${s.element}` : ''}`;
  const afterByKey = new Map(after.map((s) => [key(s), s]));
  const beforeKeys = new Set(before.map(key));
  for (const sla of before) {
    const next = afterByKey.get(key(sla));
    if (!next) out.push(change('sla_changed', { ...scopeOf(sla), before: slaValue(sla), message: `${name(sla)} was removed` }));
    else if (slaValue(sla) !== slaValue(next)) {
      out.push(change('sla_changed', { ...scopeOf(sla), before: slaValue(sla), after: slaValue(next), message: `${name(sla)} changed from ${slaValue(sla)} to ${slaValue(next)}` }));
    }
  }
  for (const sla of after) {
    if (!beforeKeys.has(key(sla))) out.push(change('sla_changed', { ...scopeOf(sla), after: slaValue(sla), message: `${name(sla)} was added: ${slaValue(sla)}` }));
  }
}

function compareMetadata(before: Contract, after: Contract, out: ContractChange[]): void {
  const team = (c: Contract) => (c.team ? `${c.team.name}${c.team.email ? ` <${c.team.email}>` : ''}` : NONE);
  const fields: Array<[string, (c: Contract) => string]> = [
    ['domain', (c) => c.domain],
    ['status', (c) => c.status],
    ['team', team],
  ];
  for (const [field, read] of fields) {
    const [from, to] = [read(before), read(after)];
    if (from !== to) out.push(change('contract_metadata_changed', { model: '', version: null, before: from, after: to, message: `${field} of the contract changed from ${from} to ${to}` }));
  }
  const [from, to] = [canonical(before.description ?? {}), canonical(after.description ?? {})];
  if (from !== to) out.push(change('contract_metadata_changed', { model: '', version: null, before: from, after: to, message: 'description of the contract changed' }));
  // Where the data can be read is a fact about the publication, not a promise about the data.
  const [serversBefore, serversAfter] = [canonical(before.servers), canonical(after.servers)];
  if (serversBefore !== serversAfter) out.push(change('contract_metadata_changed', { model: '', version: null, before: serversBefore, after: serversAfter, message: 'servers of the contract changed' }));
}

/**
 * What changed between two versions of a contract, judged by what a consumer can ref: each unpinned
 * target (`ref('products')`, the latest version of a versioned model) and each pinned version is compared
 * with the same target after. The result is sorted, breaking changes first.
 */
export function diffContracts(before: Contract, after: Contract, options: DiffOptions = {}): ContractChange[] {
  const out: ContractChange[] = [];
  targetsGoneOrAdded(consumerTargets(before), consumerTargets(after), options, out);
  compareLatestVersions(before, after, out);
  compareSlas(before.slaProperties, after.slaProperties, out);
  compareMetadata(before, after, out);
  return sortChanges(out);
}
