/// <reference lib="dom" />
import { drawGraph } from './graph';

/**
 * The lineage graph's own script (graph.js): cytoscape and dagre are most of the catalog's code and only
 * a model's page draws a graph, so they load when one is first opened, not before the home page paints.
 */
window.meshDrawGraph = drawGraph;
