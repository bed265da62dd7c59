// Generated from the finance data contract, version 1.0.1. Regenerate it instead of editing it.

import { z } from 'zod';

/** Revenue, cost and profit (or loss) per order, in cents. */
export const ordersPl = z.object({
  order_id: z.number().int(),
  order_revenue: z.union([z.bigint(), z.number().int()]).nullable(),
  order_cost: z.union([z.bigint(), z.number().int()]).nullable(),
  /** order_revenue minus order_cost. */
  order_pl: z.union([z.bigint(), z.number().int()]).nullable(),
});
export type OrdersPl = z.infer<typeof ordersPl>;

/** The contract this module was generated from. */
export const contract = {
  name: "finance",
  version: "1.0.1",
  models: ["orders_pl"],
} as const;
