/** The order layers are shown in, sidebar and pages alike: raw first, marts last, anything else between. */
const LAYER_ORDER = ['sources', 'seeds', 'bronze', 'staging', 'silver', 'intermediate', 'gold', 'marts', 'snapshots'];

export function layerRank(layer: string): number {
  const i = LAYER_ORDER.indexOf(layer);
  return i === -1 ? LAYER_ORDER.indexOf('gold') + 0.5 : i;
}

export const byLayer = (a: string, b: string) => layerRank(a) - layerRank(b) || a.localeCompare(b);
