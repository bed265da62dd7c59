import type { ProductInfo } from '@mesh/contracts';
import type { SlaProperty } from '@mesh/contract';
import { loadDataProduct } from '@mesh/governance';

function duration(text: string): { value: number | string; unit?: string } {
  const m = /^(\d+(?:\.\d+)?)\s*([a-z]+)$/i.exec(text.trim());
  return m ? { value: Number(m[1]), unit: m[2]! } : { value: text };
}

/** The owner, status and service levels a contract carries, from the domain's data product descriptor. */
export function productInfo(root: string): ProductInfo | undefined {
  const product = loadDataProduct(root);
  if (!product) return undefined;
  const sla: SlaProperty[] = [];
  const slos = product.slos;
  if (slos?.freshness) {
    sla.push({ property: 'freshness', ...duration(slos.freshness.max_age), ...(slos.freshness.model ? { element: slos.freshness.model } : {}) });
  }
  if (slos?.completeness) sla.push({ property: 'completeness', value: slos.completeness.min, ...(slos.completeness.models?.length ? { element: slos.completeness.models.join(',') } : {}) });
  if (slos?.row_count?.min !== undefined) sla.push({ property: 'rowCountMin', value: slos.row_count.min, ...(slos.row_count.model ? { element: slos.row_count.model } : {}) });
  if (slos?.row_count?.max !== undefined) sla.push({ property: 'rowCountMax', value: slos.row_count.max, ...(slos.row_count.model ? { element: slos.row_count.model } : {}) });
  return {
    owner: { name: product.owner.team, email: product.owner.email },
    status: product.status,
    purpose: product.description,
    sla,
  };
}
