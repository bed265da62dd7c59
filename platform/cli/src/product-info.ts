import type { ProductInfo } from '@mesh/contracts';

/** The owner, status and service levels a contract carries, from the domain's data product descriptor. */
export function productInfo(_root: string): ProductInfo | undefined {
  return undefined;
}
