// Generated from the sales data contract, version 2.0.0. Regenerate it instead of editing it.

import { z } from 'zod';

/** Customers with at least one order, with their total lifetime value (TLV) in cents. */
export const customerSummary = z.object({
  customer_id: z.number().int(),
  customer_name: z.string().nullable(),
  customer_surname: z.string().nullable(),
  /** Personal data; other domains receive its sha256 hash, which still joins. */
  customer_email: z.string().nullable(),
  /** Sum of the customer's order totals, in cents. */
  customer_tlv: z.union([z.bigint(), z.number().int()]).nullable(),
});
export type CustomerSummary = z.infer<typeof customerSummary>;

/** One row per order with lines, valued at the current catalog price in cents. */
export const orderSummary = z.object({
  order_id: z.number().int(),
  customer_id: z.number().int(),
  order_date: z.union([z.iso.date(), z.date()]).nullable(),
  /** Teddy Retailers' own words: open (placed, not paid yet), paid, delivered. */
  order_status: z.enum(["open", "paid", "delivered"]).nullable(),
  /** Sum of price_cents times quantity over the order's lines. */
  total_value: z.union([z.bigint(), z.number().int()]).nullable(),
});
export type OrderSummary = z.infer<typeof orderSummary>;

/** The order lines, one row per line; transaction_id is not unique. */
export const stgOrderProducts = z.object({
  /** Id of the payment transaction; repeats across lines. */
  transaction_id: z.number().int().nullable(),
  order_id: z.number().int(),
  product_id: z.number().int(),
  /** Units of the product in the line. */
  product_quantity: z.number().int().nullable(),
});
export type StgOrderProducts = z.infer<typeof stgOrderProducts>;

/** The contract this module was generated from. */
export const contract = {
  name: "sales",
  version: "2.0.0",
  models: ["customer_summary", "order_summary", "stg_order_products"],
} as const;
