/// <reference lib="dom" />
import dagre from '@dagrejs/dagre';
import cytoscape, { type Core, type ElementDefinition } from 'cytoscape';
import type { Neighbourhood } from '../neighbourhood';
import type { CatalogNode } from '../types';

/**
 * The lineage graph: dagre lays out the focused neighbourhood left to right with one box per domain
 * (a compound graph, so a domain's models stay together), cytoscape draws it and handles pan, zoom
 * and clicks. Layout is computed once per view; cytoscape only places what dagre decided.
 */

const NODE_W = 190;
const NODE_H = 38;
const DOMAIN_COLOURS = ['#e8eefb', '#e7f5ec', '#fdf0e1', '#f3e8fb', '#e6f4f6', '#fbe9ec'];

export interface GraphView {
  cy: Core;
  destroy(): void;
}

const domainId = (d: string) => `domain:${d}`;

function layout(area: Neighbourhood, byId: ReadonlyMap<string, CatalogNode>, heights: Map<string, number>) {
  const g = new dagre.graphlib.Graph({ compound: true, multigraph: false });
  g.setGraph({ rankdir: 'LR', nodesep: 18, ranksep: 70, marginx: 20, marginy: 20 });
  g.setDefaultEdgeLabel(() => ({}));
  for (const id of area.nodes) {
    const node = byId.get(id)!;
    if (!g.hasNode(domainId(node.domain))) g.setNode(domainId(node.domain), { label: node.domain });
    g.setNode(id, { width: NODE_W, height: heights.get(id) ?? NODE_H });
    g.setParent(id, domainId(node.domain));
  }
  for (const [from, to] of area.edges) g.setEdge(from, to);
  dagre.layout(g);
  return g;
}

export function drawGraph(
  container: HTMLElement,
  area: Neighbourhood,
  byId: ReadonlyMap<string, CatalogNode>,
  focus: string,
  traced: ReadonlyMap<string, string[]>,
  onOpen: (id: string) => void,
): GraphView {
  const domains = [...new Set(area.nodes.map((id) => byId.get(id)!.domain))].sort();
  const label = (node: CatalogNode) => {
    const cols = traced.get(node.id);
    return cols?.length ? `${node.name}\n${cols.map((c) => `· ${c}`).join('\n')}` : node.name;
  };
  const heights = new Map(area.nodes.map((id) => [id, NODE_H + 15 * (traced.get(id)?.length ?? 0)]));
  const g = layout(area, byId, heights);
  const elements: ElementDefinition[] = domains.map((d, i) => ({
    data: { id: domainId(d), label: d, colour: DOMAIN_COLOURS[i % DOMAIN_COLOURS.length] },
    classes: 'domain',
  }));
  for (const id of area.nodes) {
    const node = byId.get(id)!;
    const p = g.node(id);
    const classes = [node.kind, id === focus ? 'focus' : '', traced.has(id) ? 'traced' : ''].filter(Boolean).join(' ');
    elements.push({ data: { id, parent: domainId(node.domain), label: label(node), h: heights.get(id) }, position: { x: p.x, y: p.y }, classes });
  }
  for (const [from, to] of area.edges) {
    const hot = traced.has(from) && (traced.has(to) || to === focus);
    elements.push({ data: { id: `${from}->${to}`, source: from, target: to }, classes: hot ? 'traced' : '' });
  }
  const cy = cytoscape({
    container,
    elements,
    layout: { name: 'preset', fit: true, padding: 20 },
    wheelSensitivity: 0.3,
    minZoom: 0.05,
    maxZoom: 3,
    style: [
      {
        selector: 'node',
        style: {
          shape: 'round-rectangle', width: NODE_W, height: 'data(h)', label: 'data(label)', 'text-wrap': 'wrap', 'text-valign': 'center',
          'text-halign': 'center', 'font-size': 11, 'background-color': '#ffffff', 'border-width': 1, 'border-color': '#8a93a6', 'text-max-width': `${NODE_W - 12}px`,
        },
      },
      { selector: 'node.source, node.seed', style: { shape: 'cut-rectangle', 'border-style': 'dashed' } },
      { selector: 'node.focus', style: { 'border-width': 3, 'border-color': '#1f5fbf', 'font-weight': 'bold' } },
      { selector: 'node.traced', style: { 'background-color': '#fff6d6', 'border-color': '#c98a00', 'border-width': 2 } },
      {
        selector: 'node.domain',
        style: {
          'background-color': 'data(colour)', 'border-color': '#b8c0cf', 'border-width': 1, label: 'data(label)', 'text-valign': 'top',
          'text-halign': 'center', 'font-size': 13, 'font-weight': 'bold', padding: '14px', shape: 'round-rectangle',
        },
      },
      { selector: 'edge', style: { width: 1.3, 'line-color': '#9aa3b5', 'target-arrow-color': '#9aa3b5', 'target-arrow-shape': 'triangle', 'curve-style': 'bezier' } },
      { selector: 'edge.traced', style: { width: 2.5, 'line-color': '#c98a00', 'target-arrow-color': '#c98a00' } },
    ],
  });
  cy.on('tap', 'node', (event) => {
    const id = event.target.id() as string;
    if (!id.startsWith('domain:')) onOpen(id);
  });
  return { cy, destroy: () => cy.destroy() };
}
