// Generated from the inventory data contract, version 1.0.0. Regenerate it instead of editing it.

import { z } from 'zod';

/** One row per product in the catalog, with its current price in cents. */
export const products = z.object({
  /** The product's id in the catalog. */
  product_id: z.number().int(),
  /** The name shown to customers. */
  product_name: z.string().nullable(),
  /** The category (plush, puppet, ...). */
  product_category: z.string().nullable(),
  /** Current market price, in cents. */
  price_cents: z.union([z.bigint(), z.number().int()]),
});
export type Products = z.infer<typeof products>;

/** Stock bought per product and calendar month, with the average purchase price. */
export const stockProduct = z.object({
  product_id: z.number().int(),
  /** Month of the year, 1 to 12. */
  calendar_month: z.number().int(),
  calendar_year: z.number().int(),
  /** Units bought in the month. */
  quantity: z.union([z.bigint(), z.number().int()]).nullable(),
  /** Plain average of the entries' purchase prices in cents, truncated toward zero. */
  avg_purchase_price: z.union([z.bigint(), z.number().int()]).nullable(),
});
export type StockProduct = z.infer<typeof stockProduct>;

/** The contract this module was generated from. */
export const contract = {
  name: "inventory",
  version: "1.0.0",
  models: ["products", "stock_product"],
} as const;
