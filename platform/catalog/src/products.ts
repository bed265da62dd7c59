import type { StoredSlo } from '@mesh/metadata';
import { resolveVersion } from '@mesh/model-versions';
import type { CollectedDomain } from './collect';
import type { CatalogConsumer, CatalogDomain, CatalogNode, CatalogProduct, CatalogSlo } from './types';
import { pushTo } from './group-by';

/**
 * Each domain's output ports as the mesh map shows them: the model that serves the port, its SLOs at
 * their last measurement with their history, its tests, when it was built, who reads it (domains whose
 * models ref it, and whoever its grants name), and which other domains' products are built from it.
 */

const FAILED = new Set(['fail', 'error']);

function portNode(domain: string, port: { model: string; version?: string | undefined }, nodes: readonly CatalogNode[]): CatalogNode | undefined {
  const candidates = nodes.filter((n) => n.domain === domain && n.kind === 'model' && n.name === port.model);
  return resolveVersion(candidates, port.version, (n) => ({ version: n.version, latestVersion: n.latest_version }));
}

/** The store answers newest first per SLO; the catalog keeps the latest and the history oldest first. */
function slosOf(history: readonly StoredSlo[], model: string): CatalogSlo[] {
  const groups = new Map<string, StoredSlo[]>();
  for (const s of history) {
    if (s.model !== model) continue;
    const key = `${s.slo}\u0000${s.column ?? ''}`;
    pushTo(groups, key, s);
  }
  return [...groups.values()].map((list) => {
    const last = list[0]!;
    return {
      slo: last.slo,
      model: last.model,
      column: last.column ?? null,
      objective: last.objective,
      status: last.status,
      measured: last.measured ?? null,
      message: last.message,
      at: last.measuredAt.toISOString(),
      history: list.map((s) => ({ at: s.measuredAt.toISOString(), status: s.status, measured: s.measured ?? null })).reverse(),
    };
  });
}

function sloStatus(slos: readonly CatalogSlo[]): CatalogProduct['slo_status'] {
  if (!slos.length) return 'unmeasured';
  if (slos.some((s) => s.status === 'breach')) return 'breached';
  if (slos.some((s) => s.status === 'error')) return 'error';
  return 'met';
}

/** Every node a node is built from, however far upstream. */
function ancestorsOf(byId: ReadonlyMap<string, CatalogNode>, id: string, cache: Map<string, Set<string>>): Set<string> {
  const known = cache.get(id);
  if (known) return known;
  const seen = new Set<string>();
  const stack = [...(byId.get(id)?.parents ?? [])];
  while (stack.length) {
    const next = stack.pop()!;
    if (seen.has(next)) continue;
    seen.add(next);
    stack.push(...(byId.get(next)?.parents ?? []));
  }
  cache.set(id, seen);
  return seen;
}

export function describeProducts(domains: CatalogDomain[], nodes: readonly CatalogNode[], collected: readonly CollectedDomain[]): void {
  const byId = new Map(nodes.map((n) => [n.id, n]));
  const meshDomains = new Set(domains.filter((d) => !d.external).map((d) => d.name));
  const products = new Map(collected.map((c) => [c.name, c.product]));
  // The node behind each port, for the feeds of every other port.
  const served = new Map<string, Array<{ port: string; node: string }>>();
  for (const c of collected) {
    for (const port of c.product?.output_ports ?? []) {
      const node = portNode(c.name, port, nodes);
      if (node) pushTo(served, c.name, { port: port.name, node: node.id });
    }
  }
  const ancestors = new Map<string, Set<string>>();
  for (const domain of domains) {
    const source = collected.find((c) => c.name === domain.name);
    const spec = products.get(domain.name);
    if (!source || !spec) continue;
    domain.products = spec.output_ports.map((port) => {
      const node = portNode(domain.name, port, nodes);
      const consumers = new Map<string, CatalogConsumer>();
      const consumer = (name: string) => {
        let c = consumers.get(name);
        if (!c) consumers.set(name, (c = { name, kind: meshDomains.has(name) ? 'domain' : 'role', reads: false, granted: false }));
        return c;
      };
      if (node) for (const child of node.children) {
        const reader = byId.get(child);
        if (reader && reader.domain !== domain.name) consumer(reader.domain).reads = true;
      }
      for (const grant of spec.access?.grants ?? []) {
        if (grant.ports && !grant.ports.includes(port.name)) continue;
        for (const to of grant.to) consumer(to === '*' ? 'everyone' : to).granted = true;
      }
      const feeds = node
        ? [...consumers.values()].filter((c) => c.reads).flatMap((c) =>
            (served.get(c.name) ?? []).filter((p) => ancestorsOf(byId, p.node, ancestors).has(node.id)).map((p) => `${c.name}/${p.port}`))
        : [];
      const slos = node ? slosOf(source.history?.slos ?? [], port.model) : [];
      const tests = { passed: 0, failed: 0, other: 0 };
      for (const t of node?.tests ?? []) {
        if (t.status === 'pass') tests.passed++;
        else if (t.status !== null && FAILED.has(t.status)) tests.failed++;
        else tests.other++;
      }
      return {
        port: port.name,
        model: port.model,
        node: node?.id ?? null,
        description: port.description ?? null,
        format: port.format,
        contract_version: node?.contract_version ?? domain.contract_version,
        row_count: node?.row_count ?? null,
        last_built_at: node?.last_built_at ?? null,
        build_status: node?.build_status ?? null,
        slo_status: sloStatus(slos),
        slos,
        tests,
        consumers: [...consumers.values()].sort((a, b) => Number(b.kind === 'domain') - Number(a.kind === 'domain') || a.name.localeCompare(b.name)),
        feeds: feeds.sort(),
      };
    });
  }
}
