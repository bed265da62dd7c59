import { targetLabel } from './targets';

// Whether each kind of change can break a consumer that refs the model. One table, so a kind cannot be
// breaking in one place and not in another.
const BREAKING = {
  model_removed: true,
  version_removed: true,
  access_narrowed: true,
  column_removed: true,
  type_changed: true,
  required_loosened: true,
  unique_loosened: true,
  primary_key_removed: true,
  constraint_removed: true,
  model_added: false,
  version_added: false,
  column_added: false,
  required_tightened: false,
  unique_tightened: false,
  primary_key_added: false,
  constraint_added: false,
  classification_changed: false,
  description_changed: false,
  deprecation_set: false,
  deprecation_removed: false,
  // What an unpinned consumer loses is reported by comparing the unpinned targets themselves.
  latest_version_changed: false,
  sla_changed: false,
  contract_metadata_changed: false,
} as const satisfies Record<string, boolean>;

export type ChangeKind = keyof typeof BREAKING;

export interface ContractChange {
  kind: ChangeKind;
  breaking: boolean;
  /** The model name; empty for changes to the contract as a whole (SLAs without an element, metadata). */
  model: string;
  /** The pinned version the change is about, or null for the unpinned target and the model as a whole. */
  version: string | null;
  column?: string;
  before?: string;
  after?: string;
  message: string;
}

/** A change with its breaking flag from the table; absent fields are left out rather than undefined. */
export function change(kind: ChangeKind, fields: Omit<ContractChange, 'kind' | 'breaking'>): ContractChange {
  return {
    kind,
    breaking: BREAKING[kind],
    model: fields.model,
    version: fields.version,
    ...(fields.column !== undefined ? { column: fields.column } : {}),
    ...(fields.before !== undefined ? { before: fields.before } : {}),
    ...(fields.after !== undefined ? { after: fields.after } : {}),
    message: fields.message,
  };
}

const compareText = (a: string, b: string): number => (a < b ? -1 : a > b ? 1 : 0);

// Versions compare as numbers when both are (v10 after v9), unpinned before pinned.
function compareVersions(a: string | null, b: string | null): number {
  if (a === b) return 0;
  if (a === null) return -1;
  if (b === null) return 1;
  const [na, nb] = [Number(a), Number(b)];
  return Number.isFinite(na) && Number.isFinite(nb) && na !== nb ? na - nb : compareText(a, b);
}

/** Breaking first, then by model, version, column (model-level first), kind and message. */
export function sortChanges(changes: ContractChange[]): ContractChange[] {
  return [...changes].sort(
    (a, b) =>
      Number(b.breaking) - Number(a.breaking) ||
      compareText(a.model, b.model) ||
      compareVersions(a.version, b.version) ||
      compareText(a.column ?? '', b.column ?? '') ||
      compareText(a.kind, b.kind) ||
      compareText(a.message, b.message),
  );
}

const MINOR_KINDS = new Set<ChangeKind>(['deprecation_set', 'latest_version_changed']);

/** The semver bump a contract needs for these changes: what a consumer must do about them, at most. */
export function requiredBump(changes: readonly ContractChange[]): 'major' | 'minor' | 'patch' | 'none' {
  if (changes.length === 0) return 'none';
  if (changes.some((c) => c.breaking)) return 'major';
  const minor = (c: ContractChange) => c.kind.endsWith('_added') || c.kind.endsWith('_tightened') || MINOR_KINDS.has(c.kind);
  return changes.some(minor) ? 'minor' : 'patch';
}

/** `products.price_cents`, `products v2.price_cents`, or `(contract)` for contract-level changes. */
export function changeTarget(c: Pick<ContractChange, 'model' | 'version' | 'column'>): string {
  if (!c.model) return '(contract)';
  const model = targetLabel(c.model, c.version);
  return c.column === undefined ? model : `${model}.${c.column}`;
}

/** One aligned line per change: `BREAKING  column_removed  products.product_category  column ... was removed`. */
export function formatChanges(changes: readonly ContractChange[]): string {
  const rows = changes.map((c) => [c.breaking ? 'BREAKING' : 'ok', c.kind, changeTarget(c), c.message] as const);
  const widths = [0, 1, 2].map((i) => Math.max(0, ...rows.map((r) => r[i]!.length)));
  return rows.map((r) => [r[0].padEnd(widths[0]!), r[1].padEnd(widths[1]!), r[2].padEnd(widths[2]!), r[3]].join('  ')).join('\n');
}
