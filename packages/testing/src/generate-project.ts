import { mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';

/**
 * Writes a model project of any size for the benchmarks. The realistic shape is what the compile target is
 * about: a dbt-style project where most files are plain SQL with refs, some use config() and var(), and a
 * minority need real Jinja (blocks, filters, a macro), with a properties file per folder that declares
 * columns and generic tests. The trivial shape isolates the cost the engine adds around the database.
 *
 * Output is a pure function of the options: the same seed gives byte-identical files, so figures from two
 * machines or two commits describe the same project.
 */

export interface GenerateOptions {
  models: number;
  /** Tiny table models in short chains, for the build benchmark (no seeds, YAML or Jinja beyond ref). */
  trivial?: boolean;
  /** PRNG seed; change it to get a different but equally shaped project. */
  seed?: number;
}

export interface GeneratedProject {
  dir: string;
  name: string;
  models: number;
  seeds: number;
  /** Generic tests declared in properties files (each becomes a test node). */
  tests: number;
  /** Models that need nunjucks ({% %} blocks, filters, a macro call). */
  jinjaModels: number;
  /** Models with two or more parents. */
  fanInModels: number;
  files: number;
  /** Longest ref chain, in models. */
  depth: number;
}

export const PROJECT_NAME = 'bench';
export const TRIVIAL_PROJECT_NAME = 'bench_trivial';

type Layer = 'bronze' | 'silver' | 'gold';

/** mulberry32: tiny, fast and good enough to make a project look irregular; not for anything else. */
function prng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const ENTITIES = ['orders', 'customers', 'payments', 'products', 'shipments', 'invoices', 'refunds', 'sessions', 'subscriptions', 'tickets'];
const DOMAINS = ['sales', 'finance', 'marketing', 'logistics', 'support', 'product', 'growth', 'risk'];
/** Every status any generated model can produce, so accepted_values tests hold when the project is built. */
const ALL_STATUSES = ['placed', 'shipped', 'completed', 'returned', 'active', 'repeat', 'loyal', 'occasional'];
/** Real projects keep folders small; one properties file per folder then stays a readable size. */
const FOLDER_SIZE = 50;
/** Trivial models form chains of this length, so a multi-threaded build has independent work to overlap. */
const TRIVIAL_CHAIN = 10;

const COLUMN_DOCS: Array<[string, string]> = [
  ['id', 'Surrogate key of the row, unique within the model.'],
  ['customer_id', 'The customer the row belongs to.'],
  ['amount_cents', 'Amount in cents, as integer, to avoid floating point drift.'],
  ['event_date', 'Business date of the event (UTC).'],
  ['status', 'Lifecycle status, lower case.'],
];

interface ModelSpec {
  index: number;
  name: string;
  layer: Layer;
  folder: string;
  parents: number[];
  jinja: boolean;
  ephemeral: boolean;
}

function write(root: string, path: string, text: string, counter: { files: number }): void {
  const abs = join(root, path);
  mkdirSync(dirname(abs), { recursive: true });
  writeFileSync(abs, text);
  counter.files++;
}

function pad(i: number): string {
  return String(i).padStart(5, '0');
}

/** Layer sizes: bronze is a thin staging layer; at least one model per layer once there are three models. */
function layerSizes(n: number): Record<Layer, number> {
  if (n < 3) throw new Error(`a realistic project needs at least 3 models (one per layer), got ${n}`);
  const bronze = Math.max(1, Math.round(n * 0.15));
  const gold = Math.max(1, Math.round(n * 0.25));
  return { bronze, silver: n - bronze - gold, gold };
}

function folderFor(layer: Layer, indexInLayer: number): string {
  const chunk = Math.floor(indexInLayer / FOLDER_SIZE);
  const round = Math.floor(chunk / DOMAINS.length);
  return `models/${layer}/${DOMAINS[chunk % DOMAINS.length]}${round ? `_${round + 1}` : ''}`;
}

export function generateProject(dir: string, options: GenerateOptions): GeneratedProject {
  if (!Number.isInteger(options.models) || options.models < 1) throw new Error(`models must be a positive integer, got ${options.models}`);
  // Stale files from a bigger earlier run would silently join the project.
  rmSync(dir, { recursive: true, force: true });
  mkdirSync(dir, { recursive: true });
  return options.trivial ? generateTrivial(dir, options.models) : generateRealistic(dir, options.models, options.seed ?? 42);
}

function generateTrivial(dir: string, n: number): GeneratedProject {
  const counter = { files: 0 };
  write(dir, 'mesh_project.yml', [
    `name: ${TRIVIAL_PROJECT_NAME}`,
    'version: 1.0.0',
    'models:',
    `  ${TRIVIAL_PROJECT_NAME}:`,
    '    +materialized: table',
    '',
  ].join('\n'), counter);
  for (let i = 0; i < n; i++) {
    const name = `m_${pad(i)}`;
    const sql = i % TRIVIAL_CHAIN === 0
      ? `select ${i} as id, 'x' as v\n`
      : `select id + 1 as id, v from {{ ref('m_${pad(i - 1)}') }}\n`;
    write(dir, `models/chain_${pad(Math.floor(i / 100) * 100)}/${name}.sql`, sql, counter);
  }
  return { dir, name: TRIVIAL_PROJECT_NAME, models: n, seeds: 0, tests: 0, jinjaModels: 0, fanInModels: 0, files: counter.files, depth: Math.min(n, TRIVIAL_CHAIN) };
}

// ---------------------------------------------------------------------------------------------------------
// Realistic project

const SEEDS: Array<{ name: string; header: string; row: (i: number, rand: () => number) => string; select: string; description: string }> = [
  {
    name: 'raw_orders',
    header: 'id,customer_id,amount_cents,order_date,status',
    row: (i, rand) => `${i + 1},${100 + Math.floor(rand() * 20)},${Math.floor(rand() * 20000)},2026-0${1 + (i % 6)}-${String(1 + (i % 28)).padStart(2, '0')},${['placed', 'shipped', 'completed', 'returned'][i % 4]}`,
    select: 'id, customer_id, amount_cents, order_date as event_date, status',
    description: 'Orders as exported nightly from the shop database.',
  },
  {
    name: 'raw_customers',
    header: 'id,first_name,country,signup_date',
    row: (i, rand) => `${100 + i},${['Ada', 'Grace', 'Alan', 'Edsger', 'Barbara', 'Ken'][i % 6]},${['FR', 'DE', 'US', 'JP'][Math.floor(rand() * 4)]},2025-${String(1 + (i % 12)).padStart(2, '0')}-15`,
    select: "id, id as customer_id, 0::bigint as amount_cents, signup_date as event_date, 'active' as status",
    description: 'Customers from the CRM, one row per customer.',
  },
  {
    name: 'raw_payments',
    header: 'id,order_id,customer_id,method,amount_cents,paid_at',
    row: (i, rand) => `${1000 + i},${1 + (i % 40)},${100 + Math.floor(rand() * 20)},${['card', 'cash', 'gift'][i % 3]},${Math.floor(rand() * 15000)},2026-0${1 + (i % 6)}-${String(2 + (i % 27)).padStart(2, '0')}`,
    select: "id, customer_id, amount_cents, paid_at as event_date, 'completed' as status",
    description: 'Payments from the payment provider; one order may have several.',
  },
];

const MACROS = `{# Money is stored in cents; reports want currency units with a fixed scale. #}
{% macro cents_to_dollars(column, scale=2) -%}
  round({{ column }} / 100.0, {{ scale }})
{%- endmacro %}

{# Division that yields null rather than an error when the denominator is zero. #}
{% macro safe_divide(numerator, denominator) -%}
  case when {{ denominator }} = 0 then null else {{ numerator }} / {{ denominator }} end
{%- endmacro %}
`;

function projectFile(): string {
  return `name: ${PROJECT_NAME}
version: 1.0.0
config-version: 2
vars:
  start_date: '2020-01-01'
  min_amount_cents: 0
  test_customer_ids: [9001, 9002]
  exclude_test_customers: true
models:
  ${PROJECT_NAME}:
    bronze:
      +materialized: view
    silver:
      +materialized: table
    gold:
      +materialized: table
      +tags: [reporting]
seeds:
  ${PROJECT_NAME}:
    +schema: raw
`;
}

function bronzeSql(spec: ModelSpec, seedIndex: number | undefined, rand: () => number): string {
  if (seedIndex === undefined) {
    const rows: string[] = [];
    for (let r = 0; r < 6; r++) {
      rows.push(`  (${spec.index * 10 + r}, ${100 + Math.floor(rand() * 20)}, ${Math.floor(rand() * 9000)}, date '2026-0${1 + (r % 6)}-1${r}', '${ALL_STATUSES[r % 4]}')`);
    }
    return `{{ config(materialized='table') }}
-- Reference rows maintained by hand by the ${spec.folder.split('/')[2]} team; there is no source system for them.
select * from (values
${rows.join(',\n')}
) as t(id, customer_id, amount_cents, event_date, status)
`;
  }
  const seed = SEEDS[seedIndex]!;
  return `-- Renames and types the raw export; no business logic here.
select ${seed.select}
from {{ ref('${seed.name}') }}
`;
}

function plainSql(spec: ModelSpec, parentNames: string[], rand: () => number): string {
  const config = spec.ephemeral
    ? "{{ config(materialized='ephemeral') }}\n"
    : rand() < 0.12
      ? `{{ config(${rand() < 0.5 ? "materialized='table', " : ''}tags=['${ENTITIES[spec.index % ENTITIES.length]}']) }}\n`
      : '';
  const [p1, p2, p3] = parentNames;
  if (parentNames.length === 1 && spec.layer === 'gold') {
    return `${config}-- One row per customer: the grain the dashboards read.
select
  min(id) as id,
  customer_id,
  sum(amount_cents)::bigint as amount_cents,
  max(event_date) as event_date,
  case when count(*) > 3 then 'loyal' else 'occasional' end as status
from {{ ref('${p1}') }}
group by customer_id
`;
  }
  if (parentNames.length === 1) {
    return `${config}select
  id,
  customer_id,
  amount_cents,
  cast(event_date as date) as event_date,
  lower(status) as status
from {{ ref('${p1}') }}
where event_date >= '{{ var("start_date") }}'
  and amount_cents >= {{ var('min_amount_cents', 0) }}
`;
  }
  if (parentNames.length === 2) {
    return `${config}with base as (
  select * from {{ ref('${p1}') }}
),

other as (
  -- Pre-aggregated so the join keeps the grain of base.
  select customer_id, sum(amount_cents) as other_cents, count(*) as other_count
  from {{ ref('${p2}') }}
  group by customer_id
)

select
  base.id,
  base.customer_id,
  (base.amount_cents + coalesce(other.other_cents, 0))::bigint as amount_cents,
  base.event_date,
  case when other.other_count > 1 then 'repeat' else base.status end as status
from base
left join other using (customer_id)
`;
  }
  return `${config}with unioned as (
  select id, customer_id, amount_cents, event_date, status from {{ ref('${p1}') }}
  union all
  select id, customer_id, amount_cents, event_date, status from {{ ref('${p2}') }}
  union all
  select id, customer_id, amount_cents, event_date, status from {{ ref('${p3}') }}
)

-- The same id can come from several inputs; keep one row per id so the grain never grows.
select
  id,
  any_value(customer_id) as customer_id,
  max(amount_cents)::bigint as amount_cents,
  max(event_date) as event_date,
  any_value(status) as status
from unioned
group by id
`;
}

function jinjaSql(spec: ModelSpec, parentNames: string[], rand: () => number): string {
  const incremental = spec.layer === 'gold' && rand() < 0.4;
  const config = incremental
    ? "{{ config(materialized='incremental', unique_key='id') }}\n"
    : spec.ephemeral ? "{{ config(materialized='ephemeral') }}\n" : '';
  const [p1, ...rest] = parentNames;
  const joins = rest
    .map((p, i) => `left join (\n  select customer_id, count(*) as n_${i}\n  from {{ ref('${p}') }}\n  group by customer_id\n) as extra_${i} using (customer_id)`)
    .join('\n');
  const where = incremental
    ? `{% if is_incremental() %}
where src.event_date >= (select max(event_date) from {{ this }})
{% elif var('exclude_test_customers', true) %}
where src.customer_id not in ({{ var('test_customer_ids') | join(', ') }})
{% endif %}`
    : `{% if var('exclude_test_customers', true) %}
where src.customer_id not in ({{ var('test_customer_ids') | join(', ') }})
{% endif %}`;
  return `${config}{% set statuses = ['placed', 'shipped', 'completed', 'returned'] %}
-- One amount column per status, so reports can pivot without a CASE of their own.
select
  src.id,
  src.customer_id,
  src.amount_cents,
  src.event_date,
  src.status,
  {% for s in statuses -%}
  case when src.status = '{{ s }}' then src.amount_cents else 0 end as {{ s }}_cents,
  {% endfor -%}
  {{ cents_to_dollars('src.amount_cents') }} as amount,
  {{ safe_divide('src.amount_cents', 'nullif(src.customer_id, 0)') }} as cents_per_customer_id
from {{ ref('${p1}') }} as src
${joins ? `${joins}\n` : ''}${where}
`;
}

/** Picks 1-3 distinct parents, mostly recent ones so chains grow deep, some anywhere so the graph fans in. */
function pickParents(pool: number[], rand: () => number): number[] {
  if (pool.length === 0) return [];
  const r = rand();
  const want = Math.min(pool.length, r < 0.45 ? 1 : r < 0.85 ? 2 : 3);
  const out = new Set<number>();
  const window = Math.min(pool.length, 20);
  for (let guard = 0; out.size < want && guard < 50; guard++) {
    const recent = rand() < 0.6;
    const at = recent ? pool.length - 1 - Math.floor(rand() * window) : Math.floor(rand() * pool.length);
    out.add(pool[at]!);
  }
  return [...out];
}

function yamlString(s: string): string {
  // JSON strings are valid double-quoted YAML scalars; no YAML library needed to stay safe with colons.
  return JSON.stringify(s);
}

interface ModelProps {
  spec: ModelSpec;
  parentNames: string[];
  firstParentTestable: boolean;
}

function propertiesYaml(entries: ModelProps[], rand: () => number, tally: { tests: number }): string {
  const lines = ['version: 2', '', 'models:'];
  for (const { spec, parentNames, firstParentTestable } of entries) {
    const entity = ENTITIES[spec.index % ENTITIES.length]!;
    lines.push(`  - name: ${spec.name}`);
    lines.push(`    description: ${yamlString(`${spec.layer[0]!.toUpperCase()}${spec.layer.slice(1)} ${entity}: ${parentNames.length ? `built from ${parentNames.join(', ')}.` : 'reference data.'} Owned by the ${spec.folder.split('/')[2]} team.`)}`);
    if (spec.layer === 'gold' && rand() < 0.3) {
      lines.push('    config:', '      access: public', `      tags: [${entity}]`);
    }
    lines.push('    columns:');
    // Tests on ephemeral models would compile to CTE-wrapped queries that dbt users rarely write.
    const testable = !spec.ephemeral;
    for (const [col, doc] of COLUMN_DOCS) {
      lines.push(`      - name: ${col}`, `        description: ${yamlString(doc)}`);
      const tests: string[] = [];
      if (testable && col === 'id') {
        if (rand() < 0.7) tests.push('          - not_null');
        if (rand() < 0.4) tests.push('          - unique');
      }
      if (testable && col === 'status' && rand() < 0.1) {
        tests.push('          - accepted_values:', `              values: [${ALL_STATUSES.join(', ')}]`);
      }
      if (testable && col === 'customer_id' && firstParentTestable && parentNames[0] && rand() < 0.1) {
        tests.push('          - relationships:', `              to: ref('${parentNames[0]}')`, '              field: customer_id');
      }
      if (tests.length) {
        lines.push('        data_tests:', ...tests);
        tally.tests += tests.filter((t) => t.startsWith('          - ')).length;
      }
    }
  }
  return `${lines.join('\n')}\n`;
}

function generateRealistic(dir: string, n: number, seed: number): GeneratedProject {
  const rand = prng(seed);
  const counter = { files: 0 };
  const tally = { tests: 0 };
  write(dir, 'mesh_project.yml', projectFile(), counter);
  write(dir, 'macros/finance.sql', MACROS, counter);

  const seedLines = ['version: 2', '', 'seeds:'];
  for (const s of SEEDS) {
    const rows = [s.header];
    for (let i = 0; i < 40; i++) rows.push(s.row(i, rand));
    write(dir, `seeds/${s.name}.csv`, `${rows.join('\n')}\n`, counter);
    seedLines.push(`  - name: ${s.name}`, `    description: ${yamlString(s.description)}`, '    columns:', '      - name: id', '        data_tests: [unique, not_null]');
    tally.tests += 2;
  }
  write(dir, 'seeds/_seeds.yml', `${seedLines.join('\n')}\n`, counter);

  const sizes = layerSizes(n);
  const specs: ModelSpec[] = [];
  const byLayer: Record<Layer, number[]> = { bronze: [], silver: [], gold: [] };
  const depthOf: number[] = [];
  let jinjaModels = 0;
  let fanInModels = 0;
  const perFolder = new Map<string, ModelProps[]>();

  for (let i = 0; i < n; i++) {
    const layer: Layer = i < sizes.bronze ? 'bronze' : i < sizes.bronze + sizes.silver ? 'silver' : 'gold';
    const indexInLayer = byLayer[layer].length;
    const entity = ENTITIES[Math.floor(rand() * ENTITIES.length)]!;
    const prefix = layer === 'bronze' ? 'brz' : layer === 'silver' ? (rand() < 0.5 ? 'stg' : 'int') : (['fct', 'dim', 'agg'] as const)[Math.floor(rand() * 3)];
    const folder = folderFor(layer, indexInLayer);
    const pool = layer === 'silver' ? [...byLayer.bronze, ...byLayer.silver] : layer === 'gold' ? [...byLayer.silver, ...byLayer.gold] : [];
    const parents = pickParents(pool, rand);
    // ~18% of silver/gold, which is ~15% of all models: the share of real projects that need Jinja blocks.
    const jinja = layer !== 'bronze' && rand() < 0.18;
    const ephemeral = layer === 'silver' && rand() < 0.02;
    const spec: ModelSpec = { index: i, name: `${prefix}_${entity}_${pad(i)}`, layer, folder, parents, jinja, ephemeral };
    specs.push(spec);
    byLayer[layer].push(i);
    depthOf.push(1 + Math.max(0, ...parents.map((p) => depthOf[p]!)));
    if (jinja) jinjaModels++;

    const parentNames = parents.map((p) => specs[p]!.name);
    let sql: string;
    if (layer === 'bronze') {
      // Every fourth bronze model is typed-in reference data; the rest stage one of the seeds.
      const seedIndex = indexInLayer % 4 === 3 ? undefined : indexInLayer % SEEDS.length;
      if (seedIndex !== undefined) parentNames.push(SEEDS[seedIndex]!.name);
      sql = bronzeSql(spec, seedIndex, rand);
    } else {
      if (parents.length > 1) fanInModels++;
      sql = jinja ? jinjaSql(spec, parentNames, rand) : plainSql(spec, parentNames, rand);
    }
    write(dir, `${folder}/${spec.name}.sql`, sql, counter);

    // Some models go undocumented, as in any real project.
    if (rand() < 0.85) {
      const first = parents[0] === undefined ? undefined : specs[parents[0]]!;
      // relationships holds only where every customer_id comes from the first parent: not for the union
      // template (rows from the other parents too) nor bronze (raw_customers has no customer_id column).
      const unionTemplate = !jinja && parents.length === 3;
      const entries = perFolder.get(folder) ?? [];
      entries.push({ spec, parentNames, firstParentTestable: first !== undefined && !first.ephemeral && !unionTemplate });
      perFolder.set(folder, entries);
    }
  }

  for (const [folder, entries] of perFolder) {
    write(dir, `${folder}/_${folder.split('/').slice(1).join('__')}__models.yml`, propertiesYaml(entries, rand, tally), counter);
  }

  return {
    dir,
    name: PROJECT_NAME,
    models: n,
    seeds: SEEDS.length,
    tests: tally.tests,
    jinjaModels,
    fanInModels,
    files: counter.files,
    depth: Math.max(...depthOf),
  };
}
