/// <reference lib="dom" />
import type { CatalogNode, CatalogSummary, NodeDetail, SearchEntry } from '../types';
import type { drawGraph } from './graph';

/**
 * The catalog arrives in three scripts (see DETAIL_FIELDS): the summary is in the page before the app
 * runs; the search index and the nodes' details are loaded by adding their scripts, once each, which
 * works from a web server and from disk alike.
 */

declare global {
  interface Window {
    MESH_CATALOG: CatalogSummary;
    MESH_SEARCH?: SearchEntry[];
    MESH_DETAILS?: NodeDetail[];
    /** Set by graph.js. */
    meshDrawGraph?: typeof drawGraph;
  }
}

const loading = new Map<string, Promise<void>>();

function loadScript(src: string): Promise<void> {
  let promise = loading.get(src);
  if (!promise) {
    promise = new Promise<void>((resolve, reject) => {
      const script = document.createElement('script');
      script.src = src;
      script.onload = () => resolve();
      script.onerror = () => reject(new Error(`${src} could not be loaded; generate the catalog again (mesh docs generate)`));
      document.head.append(script);
    });
    loading.set(src, promise);
  }
  return promise;
}

export async function searchIndex(): Promise<SearchEntry[]> {
  if (!window.MESH_SEARCH) await loadScript('catalog-search.js');
  return window.MESH_SEARCH!;
}

let merged = false;

/**
 * Gives every node its columns, SQL, tests and lineage notes. The summaries become whole catalog nodes
 * in place, so everything that already holds a node sees its details.
 */
export async function loadDetails(nodes: readonly CatalogNode[]): Promise<void> {
  if (merged) return;
  if (!window.MESH_DETAILS) await loadScript('catalog-details.js');
  window.MESH_DETAILS!.forEach((detail, i) => Object.assign(nodes[i]!, detail));
  merged = true;
}

/** The lineage graph's drawing function, from graph.js, loaded on first use. */
export async function graphDrawer(): Promise<typeof drawGraph> {
  if (!window.meshDrawGraph) await loadScript('graph.js');
  return window.meshDrawGraph!;
}
